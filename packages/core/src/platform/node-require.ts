import { createRequire } from 'node:module';

/**
 * A CommonJS `require` anchored at this package, for Node-only lookups (the WASM binaries, the Dawn
 * addon, shipped weights). This file is the only use of `import.meta` in the library; jest maps it
 * to `node-require.cjs.ts`, which uses the CommonJS `require` directly.
 */
export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
