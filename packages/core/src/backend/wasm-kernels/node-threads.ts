import * as tf from '@tensorflow/tfjs-core';
import { nodeRequire } from '../../platform/node-require.js';

/**
 * Multi-threaded tfjs WASM (XNNPACK on a pthread pool) in Node.js. tfjs-backend-wasm 4.22 ships the
 * threaded SIMD binary but never uses it in Node, for three reasons, each worked around here:
 *
 * 1. The flag `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false in Node (tfjs issue #3830) →
 *    set it to true.
 * 2. Emscripten's pthread workers are started from a `blob:` URL of the embedded worker script and
 *    load the main script from a `Blob`; Node's `Worker` rejects blob URLs (ERR_WORKER_PATH) and the
 *    worker's `importScripts` reads files. → `worker_threads.Worker` is wrapped (the Emscripten glue
 *    reads it when the module is created): a blob URL becomes the same worker script run with
 *    `eval: true`, and the Blob in the 'load' message becomes the path of the identical
 *    `wasm-out/tfjs-backend-wasm-threaded-simd.js` shipped in the package.
 * 3. The C++ side caps the pool at `emscripten_num_logical_cores() / 2` ("2 threads per core"),
 *    which is 1 on a 2-vCPU machine. → `os.cpus()` reports at least `2·threads` entries while the
 *    module initialises, then is restored.
 *
 * 4. The pool's workers are referenced handles, so a script that finished its work never exited
 *    (seen every time in a 2-thread training script: results written, then idle forever). → once the
 *    backend is up, every pool worker is `unref()`ed: the pool no longer keeps the process alive, and
 *    the synchronous WASM calls that use it are unaffected. Workers are left referenced during start-up,
 *    when the main thread waits for their 'loaded' messages asynchronously.
 *
 * Call {@link prepareNodeWasmThreads} before the WASM backend is first initialised and the returned
 * function right after (initBackend does both for `{ wasmThreads }`); an already initialised WASM
 * backend keeps its thread count.
 * @returns a function that undoes the temporary `os.cpus` override and unrefs the pool's workers.
 */
export function prepareNodeWasmThreads(threads: number, wasm: { setThreadsCount(n: number): void }): () => void {
  const wt = nodeRequire('worker_threads') as { Worker: new (url: string | URL, opts?: object) => NodeWorker; __srWasmPatched?: boolean };
  const dir = nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, '');
  if (!wt.__srWasmPatched) {
    const { wasmWorkerContents } = nodeRequire(`${dir}wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string };
    const mainScript = `${dir}wasm-out/tfjs-backend-wasm-threaded-simd.js`;
    // The worker script is a template literal holding "\n" escapes; escape them back as tfjs does
    // before putting it in a Blob, or the eval'd source has line breaks inside string literals.
    const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
    const Base = wt.Worker;
    class SrWasmWorker extends Base {
      constructor(url: string | URL, opts?: object) {
        if (String(url).startsWith('blob:')) super(workerSource, { ...opts, eval: true });
        else super(url, opts);
        poolWorkers.push(this);
        if (poolReady) this.unref();
      }
      override postMessage(msg: unknown, transfer?: unknown): void {
        const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
        if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: mainScript };
        super.postMessage(msg, transfer);
      }
    }
    wt.Worker = SrWasmWorker;
    wt.__srWasmPatched = true;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const os = nodeRequire('os') as { cpus: () => unknown[] };
  const cpus = os.cpus;
  os.cpus = () => {
    const list = cpus.call(os);
    while (list.length > 0 && list.length < 2 * threads) list.push(list[0]);
    return list;
  };
  return () => {
    os.cpus = cpus;
    poolReady = true;
    for (const w of poolWorkers) w.unref();
  };
}

/** Workers created by the patched constructor (the WASM pthread pool) and whether start-up is over. */
const poolWorkers: NodeWorker[] = [];
let poolReady = false;

/** The part of Node's `Worker` used above. */
interface NodeWorker {
  postMessage(msg: unknown, transfer?: unknown): void;
  unref(): void;
}
