// jest (CommonJS) stand-in for node-require.ts, see there.
declare const require: NodeJS.Require;
export const nodeRequire: NodeJS.Require = require;
