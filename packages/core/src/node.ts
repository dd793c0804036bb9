/**
 * `@sr/core/node` — the Node.js entry of `@sr/core`: everything of the main entry, plus the Node
 * platform it needs to read and write files, find the tfjs WASM binaries, load Dawn (the optional
 * `webgpu` package) and run WASM threads. Node resolves a plain `import … from '@sr/core'` here (the
 * `node` export condition), so Node users never import it by name; browsers and bundlers get the main
 * entry, which imports no Node built-in.
 * @packageDocumentation
 */
import './platform/node-install.js';

export * from './index.js';
export { prepareNodeWasmThreads } from './backend/wasm-kernels/node-threads.js';
