/**
 * Installs the Node platform (Node built-ins, Dawn, WASM threads) for the browser-clean modules of
 * `@sr/core`; imported for its side effect by the Node entry (`src/node.ts`) and by the jest setup.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
// Node keeps the pure-JS CPU backend registered from the start (scripts may use tf before initBackend);
// browser bundles load it only when initBackend picks it. Not a bare `import '…'`: the package marks
// its Node entry side-effect-free, so bundlers (esbuild, webpack) drop a bare import from Node builds
// and tf then has no backend at all. Naming a class that is used keeps the module and its kernels.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { prepareNodeWasmThreads } from '../backend/wasm-kernels/node-threads.js';
import type { DawnModule } from '../backend/node-webgpu.js';
import { installNodePlatform } from './node-platform.js';
import { nodeRequire } from './node-require.js';

if (!tf.findBackendFactory('cpu')) tf.registerBackend('cpu', () => new MathBackendCPU(), 1);

installNodePlatform({
  require: (id) => nodeRequire(id),
  resolve: (id) => nodeRequire.resolve(id),
  // A variable specifier: `webgpu` is an optional dependency without types for tsc, and only loaded
  // when WebGPU is requested in Node (so its warnings appear only then).
  loadDawn: async () => {
    const specifier = 'webgpu';
    return (await import(specifier)) as DawnModule;
  },
  mayHaveGpu: () => {
    if (process.platform !== 'linux') return true;
    const fs = nodeRequire('fs') as typeof import('fs');
    const has = (dir: string, re: RegExp) => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => re.test(f));
    return has('/dev/dri', /^renderD\d+$/) || has('/dev', /^(nvidia\d+|dxg)$/);
  },
  prepareWasmThreads: prepareNodeWasmThreads,
});
