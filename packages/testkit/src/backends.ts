import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@sr/core';

/**
 * Backends every numerical test runs on: the pure-JS CPU backend (the reference), WASM (what
 * `initBackend('auto')` gives every machine without a GPU, so what most users run) and WebGPU in
 * Node (Dawn on llvmpipe without a GPU). `SR_TEST_BACKENDS=cpu` (or any comma list) narrows it. A
 * missing WebGPU adapter fails the webgpu tests (never a silent pass); `SR_REQUIRE_WEBGPU=0`
 * downgrades that to a warning and runs those tests on cpu, for machines without Mesa/Dawn.
 */
export function testBackends(): ('cpu' | 'webgpu' | 'wasm')[] {
  const env = process.env.SR_TEST_BACKENDS;
  return (env ? env.split(',') : ['cpu', 'wasm', 'webgpu']).map((s) => s.trim()) as ('cpu' | 'webgpu' | 'wasm')[];
}

/** Why WebGPU is unavailable in this process, or null when it is available. */
export async function webgpuUnavailable(): Promise<string | null> {
  const err = (globalThis as { __SR_WEBGPU_ERROR__?: string }).__SR_WEBGPU_ERROR__;
  if (err) return err;
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return 'navigator.gpu is not installed';
  const a = await gpu.requestAdapter();
  return a ? null : 'no WebGPU adapter';
}

/**
 * `describe` once per backend ({@link testBackends}, or `opts.backends`), switching tfjs to it in
 * `beforeAll`. Tolerances that differ per backend are passed to the body (`atol`: 1e-4 on cpu/wasm;
 * WebGPU uses fp32 too and is held to the same bound unless a test says otherwise).
 */
export function describeBackends(name: string, body: (backend: string) => void, opts: { backends?: readonly ('cpu' | 'webgpu' | 'wasm')[] } = {}): void {
  for (const backend of opts.backends ?? testBackends()) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        if (backend === 'webgpu') {
          const why = await webgpuUnavailable();
          if (why) {
            if (process.env.SR_REQUIRE_WEBGPU !== '0') throw new Error(`WebGPU required (SR_REQUIRE_WEBGPU=1) but unavailable: ${why}`);
            console.warn(`[${name}] WebGPU unavailable (${why}); its tests run on cpu instead`);
            await initBackend('cpu');
            return;
          }
        }
        await initBackend(backend);
      });
      body(backend);
    });
  }
}

/**
 * Max |a − b| over two tensors or arrays of equal size. Async because WebGPU tensors can only be
 * read asynchronously (`dataSync` throws on WebGPU in Node).
 */
export async function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): Promise<number> {
  const x = a instanceof tf.Tensor ? ((await a.data()) as ArrayLike<number>) : a;
  const y = b instanceof tf.Tensor ? ((await b.data()) as ArrayLike<number>) : b;
  if (x.length !== y.length) throw new Error(`maxAbsDiff: sizes differ (${x.length} vs ${y.length})`);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}
