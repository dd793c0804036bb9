/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors/index.js';
import { isNode } from '../platform/env.js';
import { nodePlatform, requireNodePlatform } from '../platform/node-platform.js';
import { defaultDawnBackends, installDawn } from './node-webgpu.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';

/** Backends `@sr` can run on. `auto` picks the fastest available (see {@link initBackend}). */
export type BackendName = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** What {@link initBackend} chose and why. */
export interface BackendReport {
  /** The tfjs backend now active. */
  backend: Exclude<BackendName, 'auto'>;
  requested: BackendName;
  /** One line a user can print. */
  summary: string;
  /** WebGPU adapter description, when WebGPU was probed. */
  adapter?: { vendor: string; architecture: string; description: string; software: boolean };
  /** Backends tried before this one, with the reason each was skipped. */
  skipped: { backend: string; reason: string }[];
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Where the WASM binaries are served from (browser). In Node the installed package is used. */
  wasmPaths?: string;
  /**
   * WASM threads (XNNPACK's pool); default {@link defaultWasmThreads}: every available core in Node
   * (`os.availableParallelism()`, or `$SR_WASM_THREADS`), `navigator.hardwareConcurrency` in a
   * cross-origin-isolated page, 1 in a page that is not (browsers allow the `SharedArrayBuffer`
   * threads need only under COOP `same-origin` + COEP `require-corp`). In Node a count > 1 runs the
   * threaded SIMD build through the workarounds in `prepareNodeWasmThreads`. Takes effect only when
   * WASM is first initialised in the process.
   */
  wasmThreads?: number;
  /** In Node, load Dawn from the optional `webgpu` package when `navigator.gpu` is missing (default true). */
  nodeWebGPU?: boolean;
  /**
   * For `auto`: accept a software WebGPU adapter (llvmpipe, SwiftShader). Default false, because
   * on such machines WASM is 5–20× faster for inference.
   */
  allowSoftwareWebGPU?: boolean;
}

const SOFTWARE = /llvmpipe|swiftshader|lavapipe|software|microsoft basic render/i;

async function ensureNavigatorGpu(opts: InitBackendOptions, requireHardware: boolean): Promise<GPU | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode() || opts.nodeWebGPU === false) return undefined;
  // Dawn is loaded only here, when WebGPU is asked for, so its start-up warnings appear only then.
  const platform = nodePlatform();
  if (!platform) return undefined;
  if (requireHardware && !opts.allowSoftwareWebGPU && !platform.mayHaveGpu())
    throw new Error('no GPU device on this machine (no /dev/dri render node, NVIDIA or WSL device); WASM is faster');
  installDawn(await platform.loadDawn(), defaultDawnBackends(platform.mayHaveGpu()));
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

async function probeAdapter(gpu: GPU): Promise<BackendReport['adapter']> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null');
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  // Dawn's OpenGL ES adapter names the renderer in `device` (e.g. "llvmpipe-llvm-15…"), not in `description`.
  const device = (info as { device?: string } | undefined)?.device ?? '';
  const description = [info?.description, device].filter(Boolean).join(' / ');
  const software = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || SOFTWARE.test(`${vendor} ${architecture} ${description}`);
  return { vendor, architecture, description, software };
}

async function activate(name: Exclude<BackendName, 'auto'>, opts: InitBackendOptions): Promise<void> {
  // Each backend is imported only when it is activated: bundlers split them into chunks that a page
  // loads only when it uses them (an app on WebGPU + WASM never downloads WebGL or CPU).
  if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  let restoreCpus: (() => void) | undefined;
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths);
    else if (isNode()) {
      const dir = requireNodePlatform('WASM in Node').resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/');
      wasm.setWasmPaths(dir);
    }
    const threads = opts.wasmThreads ?? defaultWasmThreads();
    if (!Number.isInteger(threads) || threads < 1) throw new BackendError(`wasmThreads must be an integer ≥ 1, got ${String(threads)}`);
    if (isNode() && threads > 1) restoreCpus = requireNodePlatform('WASM threads in Node').prepareWasmThreads(threads, wasm);
    else wasm.setThreadsCount(threads);
    registerWasmTrainingKernels();
  }
  let ok: boolean;
  try {
    ok = restoreCpus ? await withStartTimeout(tf.setBackend(name)) : await tf.setBackend(name);
  } finally {
    restoreCpus?.();
  }
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  if (name === 'webgpu' && isNode()) guardSyncReads();
}

/**
 * The WASM thread count {@link initBackend} uses when `wasmThreads` is not given: in Node every
 * available core (`os.availableParallelism()`), overridable with the environment variable
 * `SR_WASM_THREADS`; in a browser `navigator.hardwareConcurrency` when the page is cross-origin
 * isolated (`crossOriginIsolated`, needed for the `SharedArrayBuffer` behind WASM threads), else 1.
 */
export function defaultWasmThreads(): number {
  if (isNode()) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SR_WASM_THREADS;
    if (env !== undefined && env !== '') {
      const n = Number(env);
      if (!Number.isInteger(n) || n < 1) throw new BackendError(`SR_WASM_THREADS must be an integer ≥ 1, got '${env}'`);
      return n;
    }
    // The core count comes through the Node platform (the main entry imports no Node built-in);
    // without it (a bundle of the browser entry run in Node) one thread is the safe choice.
    const os = nodePlatform()?.require('os') as { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
    return os ? Math.max(1, os.availableParallelism?.() ?? os.cpus().length) : 1;
  }
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return g.crossOriginIsolated ? Math.max(1, g.navigator?.hardwareConcurrency ?? 1) : 1;
}

/** How long the threaded WASM module may take to start its worker pool before initBackend gives up. */
const THREAD_START_TIMEOUT_MS = 60_000;

/**
 * A pthread pool whose workers never report 'loaded' would leave `tf.setBackend` pending forever;
 * fail with an error that names the way out instead of hanging.
 */
async function withStartTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendError(`the multi-threaded WASM backend did not start in ${THREAD_START_TIMEOUT_MS / 1000} s; pass { wasmThreads: 1 } or set SR_WASM_THREADS=1`)),
      THREAD_START_TIMEOUT_MS,
    );
    (timer as { unref?: () => void }).unref?.();
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * tfjs-backend-webgpu implements synchronous reads (`dataSync`, `arraySync`) through an
 * OffscreenCanvas trick that exists only in browsers; in Node it fails with an obscure
 * ReferenceError. Replace it with an error that says what to do instead. (Even in browsers a sync
 * read stalls the GPU pipeline, so @sr code always reads asynchronously.)
 */
function guardSyncReads(): void {
  const backend = tf.backend() as unknown as {
    readSync: (id: unknown) => unknown;
    tensorMap: { get(id: unknown): { values?: unknown; resource?: unknown } | undefined };
    __srGuarded?: boolean;
  };
  if (backend.__srGuarded) return;
  const original = backend.readSync.bind(backend);
  backend.readSync = (dataId: unknown) => {
    // Data still on the CPU (small tensors made from JS values) reads fine, and tfjs-webgpu's own
    // kernels rely on it: with WEBGPU_CPU_FORWARD (default on) Concat & co. read such inputs
    // synchronously. Only reads that would need the GPU → CPU canvas trick are refused.
    if (backend.tensorMap.get(dataId)?.values != null) return original(dataId);
    throw new BackendError(
      'Synchronous tensor reads (dataSync/arraySync/bufferSync) are not possible on WebGPU in Node: ' +
        'use `await tensor.data()` / `await tensor.array()` instead.',
    );
  };
  backend.__srGuarded = true;
}

/**
 * Selects and initialises a tfjs backend. `'auto'` tries, in order: WebGPU on a hardware adapter
 * (browser `navigator.gpu`, or Dawn in Node), WASM (SIMD), WebGL (browser), then the pure-JS CPU
 * backend. A named backend is used or a {@link BackendError} explains why it cannot be.
 *
 * @example
 * const report = await initBackend('auto');
 * console.log(report.summary); // "webgpu (NVIDIA …)" or "wasm (WebGPU adapter is software: llvmpipe)"
 */
export async function initBackend(requested: BackendName = 'auto', opts: InitBackendOptions = {}): Promise<BackendReport> {
  const skipped: BackendReport['skipped'] = [];
  let adapter: BackendReport['adapter'];
  const tryWebGPU = async (requireHardware: boolean): Promise<boolean> => {
    try {
      const gpu = await ensureNavigatorGpu(opts, requireHardware);
      if (!gpu) throw new Error('navigator.gpu is not available');
      const probed = await probeAdapter(gpu);
      adapter = probed;
      if (requireHardware && probed?.software && !opts.allowSoftwareWebGPU)
        throw new Error(`adapter is software (${probed.description || probed.vendor}); WASM is faster`);
      await activate('webgpu', opts);
      return true;
    } catch (e) {
      skipped.push({ backend: 'webgpu', reason: (e as Error).message });
      return false;
    }
  };
  const tryOther = async (name: 'wasm' | 'webgl' | 'cpu'): Promise<boolean> => {
    try {
      await activate(name, opts);
      return true;
    } catch (e) {
      skipped.push({ backend: name, reason: (e as Error).message });
      return false;
    }
  };
  let chosen: Exclude<BackendName, 'auto'> | undefined;
  if (requested === 'auto') {
    if (await tryWebGPU(true)) chosen = 'webgpu';
    else if (await tryOther('wasm')) chosen = 'wasm';
    else if (!isNode() && (await tryOther('webgl'))) chosen = 'webgl';
    else if (await tryOther('cpu')) chosen = 'cpu';
  } else if (requested === 'webgpu') {
    if (await tryWebGPU(false)) chosen = 'webgpu';
  } else if (requested === 'wasm' || requested === 'webgl' || requested === 'cpu') {
    if (await tryOther(requested)) chosen = requested;
  } else {
    throw new BackendError(`Unknown backend '${String(requested)}'; use 'auto', 'webgpu', 'webgl', 'wasm' or 'cpu'.`);
  }
  if (!chosen)
    throw new BackendError(
      `Backend '${requested}' is not available: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}` +
        (requested === 'webgpu' && isNode() ? ". In Node install the optional 'webgpu' package." : ''),
    );
  const why = skipped.length ? ` (skipped ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : '';
  const what = chosen === 'webgpu' && adapter ? `webgpu on ${adapter.description || adapter.vendor || 'unknown adapter'}` : chosen;
  return { backend: chosen, requested, summary: `${what}${why}`, adapter, skipped };
}
