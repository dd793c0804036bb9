import * as tf from '@tensorflow/tfjs-core';

/** A backend-independent host array (inputs are rebuilt on each backend from these). */
export interface HostArray {
  shape: number[];
  data: Float32Array;
}

/** Deterministic U(−1, 1) data (LCG), so cpu and wasm see identical inputs. */
export function rand(shape: number[], seed: number, relu = false): HostArray {
  let s = (seed * 2654435761) >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = (s / 4294967296) * 2 - 1;
    data[i] = relu ? Math.max(0, v) : v;
  }
  return { shape, data };
}

/** A tensor on the current backend. */
export const T = (a: HostArray): tf.Tensor => tf.tensor(a.data, a.shape);

/** Runs `fn` on `backend` and returns its outputs as host arrays (async reads; no leaks). */
export async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  try {
    return await Promise.all(list.map(async (t) => Float32Array.from((await t.data()) as ArrayLike<number>)));
  } finally {
    list.forEach((t) => t.dispose());
  }
}

/** max |a − b| relative to max(1, max |b|) over lists of arrays (sizes must match). */
export function relErr(a: Float32Array[], b: Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`output counts differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  a.forEach((x, k) => {
    const y = b[k]!;
    if (x.length !== y.length) throw new Error(`output ${k}: sizes differ (${x.length} vs ${y.length})`);
    let scale = 1;
    for (const v of y) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i]! - y[i]!) / scale;
      if (!(d <= worst)) worst = d;
    }
  });
  return worst;
}

/** `Σ f(x)·r` for a fixed random `r`: a scalar whose gradient w.r.t. `f(x)` is a non-trivial `dy`. */
export function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.sum(tf.mul(y, T(rand(y.shape, seed))));
}

/** The output shape of `fn` (run once on the current backend, nothing kept). */
export function shapeOf(fn: () => tf.Tensor): number[] {
  let shape: number[] = [];
  tf.tidy(() => {
    shape = [...fn().shape];
  });
  return shape;
}

/**
 * For kernel tests that compare backends: gradients, WASM and (where an adapter exists) WebGPU
 * initialised, then the CPU backend active. Resolves whether WebGPU is available (a test without it
 * must say so).
 */
export async function initKernelTestBackends(): Promise<boolean> {
  const { ensureGradients, initBackend } = await import('@sr/core');
  await ensureGradients();
  await initBackend('wasm');
  let webgpu = true;
  try {
    await initBackend('webgpu');
  } catch {
    webgpu = false;
  }
  await tf.setBackend('cpu');
  return webgpu;
}
