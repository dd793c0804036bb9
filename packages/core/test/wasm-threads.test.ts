import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@sr/core';
import { T, on, rand, relErr } from './wasm-helpers.js';

// Multi-threaded WASM in Node (initBackend's `wasmThreads`): the threaded SIMD build starts its
// pthread pool and computes the same results as the CPU reference.
test('initBackend("wasm", { wasmThreads: 2 }) runs XNNPACK on 2 threads, matching cpu', async () => {
  const report = await initBackend('wasm', { wasmThreads: 2 });
  expect(report.backend).toBe('wasm');
  expect(getThreadsCount()).toBe(2);
  const X = rand([1, 16, 16, 8], 1);
  const K = rand([3, 3, 8, 16], 2);
  const f = () => [tf.conv2d(T(X) as tf.Tensor4D, T(K) as tf.Tensor4D, 1, 'same'), tf.matMul(tf.reshape(T(X), [256, 8]), tf.reshape(T(K), [8, 144]))];
  const ref = await on('cpu', f);
  const got = await on('wasm', f);
  expect(relErr(got, ref)).toBeLessThan(1e-5);
});
