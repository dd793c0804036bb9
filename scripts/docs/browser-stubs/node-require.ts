// Browser stand-in for packages/core/src/platform/node-require.ts (swapped in by build-demo.mjs):
// the browser never takes the Node-only code paths that call it.
const fail = (): never => {
  throw new Error('nodeRequire is not available in the browser');
};
/** Throws: Node's require does not exist in browsers. */
export const nodeRequire = Object.assign(fail, { resolve: fail }) as unknown as NodeJS.Require;
