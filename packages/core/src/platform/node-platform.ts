import { SrError } from '../errors/index.js';
import type { DawnModule } from '../backend/node-webgpu.js';

/**
 * What the browser-clean modules of `@sr/core` need from Node.js, handed over by the Node entry
 * (`@sr/core/node`, which is also what `@sr/core` resolves to under Node's `node` export condition).
 * Keeping every Node built-in behind this one seam is what lets the main entry bundle for browsers with
 * no configuration: no module of it imports `node:*`, `webgpu` (Dawn) or `worker_threads`, even lazily.
 * @internal
 */
export interface NodePlatform {
  /** CommonJS `require` anchored at `@sr/core` (Node built-ins, `@tensorflow/tfjs`, package files). */
  require(id: string): unknown;
  /** `require.resolve` anchored at `@sr/core`. */
  resolve(id: string): string;
  /** Loads Dawn (the optional `webgpu` package); only called when WebGPU is requested in Node. */
  loadDawn(): Promise<DawnModule>;
  /**
   * False when this machine certainly has no GPU (Linux without /dev/dri render nodes, NVIDIA or WSL
   * devices): `auto` then skips Dawn, whose adapter could only be software and whose start-up prints
   * warnings. True elsewhere (macOS, Windows), where only probing tells.
   */
  mayHaveGpu(): boolean;
  /** See `prepareNodeWasmThreads` (exported by `@sr/core/node`). */
  prepareWasmThreads(threads: number, wasm: { setThreadsCount(n: number): void }): () => void;
}

let installed: NodePlatform | undefined;

/** Installs the Node platform (called once by the Node entry). @internal */
export function installNodePlatform(platform: NodePlatform): void {
  installed = platform;
}

/** The Node platform when running under the Node entry, else undefined. @internal */
export function nodePlatform(): NodePlatform | undefined {
  return installed;
}

/**
 * The Node platform, or an error that names the operation and the fix: reading a file path, writing
 * files or starting WASM threads in Node are only possible through the Node entry.
 * @internal
 */
export function requireNodePlatform(what: string): NodePlatform {
  if (installed) return installed;
  throw new SrError(
    'E_NODE_ONLY',
    `${what} needs Node.js file and module access, which the browser entry of @sr/core does not include. ` +
      "In a browser pass bytes, a Blob or an http(s) URL instead; in Node import '@sr/core' normally (the 'node' export condition) or '@sr/core/node'.",
  );
}

/** Node's `fs` module through the platform (for the few helpers that write files). @internal */
export function nodeFs(what: string): typeof import('fs') {
  return requireNodePlatform(what).require('fs') as typeof import('fs');
}

/** Node's `path` module through the platform. @internal */
export function nodePath(what: string): typeof import('path') {
  return requireNodePlatform(what).require('path') as typeof import('path');
}
