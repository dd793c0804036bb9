import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, expectNoLeak, initBackend } from '@sr/core';
import { T, rand, type HostArray } from './wasm-helpers.js';

// End to end: a small conv net (conv, strided conv, depthwise conv, transposed conv, PReLU,
// LeakyReLU, max pool, pixel shuffle, gather) trained with Adam gives the same losses on wasm as
// on the CPU reference backend.

const shapes: Record<string, number[]> = {
  w1: [3, 3, 3, 8],
  b1: [8],
  w2: [3, 3, 8, 8],
  alpha: [8],
  wd: [3, 3, 8, 1],
  wt: [4, 4, 8, 8],
  w3: [3, 3, 8, 12],
};

function net(p: Record<string, tf.Variable>, x: tf.Tensor4D): tf.Tensor4D {
  let h = tf.leakyRelu(tf.add(tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 'same'), p.b1!), 0.2) as tf.Tensor4D;
  h = tf.prelu(tf.conv2d(h, p.w2 as tf.Tensor4D, 2, 'same'), p.alpha as tf.Tensor) as tf.Tensor4D; // H/2
  h = tf.depthwiseConv2d(h, p.wd as tf.Tensor4D, 1, 'same');
  h = tf.maxPool(h, 3, 1, 'same');
  h = tf.conv2dTranspose(h, p.wt as tf.Tensor4D, [h.shape[0], 2 * h.shape[1], 2 * h.shape[2], 8], 2, [[0, 0], [1, 1], [1, 1], [0, 0]] as unknown as number); // H
  h = tf.conv2d(h, p.w3 as tf.Tensor4D, 1, 'same'); // 12 = 3·2²
  const [n, hh, ww] = h.shape;
  h = tf.reshape(tf.transpose(tf.reshape(h, [n, hh, ww, 2, 2, 3]), [0, 1, 3, 2, 4, 5]), [n, hh * 2, ww * 2, 3]); // pixel shuffle ×2
  // A gather (rows of the flattened image) exercises UnsortedSegmentSum in the backward pass.
  const rows = tf.reshape(h, [n * hh * 2 * ww * 2, 3]);
  return tf.reshape(tf.gather(rows, tf.range(0, rows.shape[0], 1, 'int32')), [n, hh * 2, ww * 2, 3]) as tf.Tensor4D;
}

async function train(backend: string, init: Record<string, HostArray>, x: HostArray, y: HostArray, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const params = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(T(v), true, `${backend}_${k}_${Math.random()}`)]));
  const opt = tf.train.adam(1e-2);
  const X = T(x) as tf.Tensor4D;
  const Y = T(y);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = opt.minimize(() => tf.mean(tf.abs(tf.sub(net(params, X), Y))) as tf.Scalar, true, Object.values(params));
    losses.push((await loss!.data())[0]!);
    loss!.dispose();
  }
  opt.dispose();
  Object.values(params).forEach((v) => v.dispose());
  X.dispose();
  Y.dispose();
  return losses;
}

beforeAll(async () => {
  await ensureGradients();
  await initBackend('wasm');
});

test('Adam losses on wasm equal cpu within 1e-4 over 4 steps', async () => {
  const init: Record<string, HostArray> = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, rand(s, 100 + i)]));
  for (const k of ['w1', 'w2', 'wd', 'wt', 'w3']) init[k]!.data.forEach((v: number, i: number, a: Float32Array) => (a[i] = v * 0.3));
  const x = rand([1, 8, 8, 3], 7);
  const y = rand([1, 16, 16, 3], 8);
  const cpu = await train('cpu', init, x, y, 4);
  const wasm = await train('wasm', init, x, y, 4);
  expect(cpu[3]).toBeLessThan(cpu[0]!); // it learns
  for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-4);
});

test('a wasm training step leaks no tensors', async () => {
  await tf.setBackend('wasm');
  const params = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, tf.variable(T(rand(s, 200 + i)))]));
  const opt = tf.train.adam(1e-3);
  const X = T(rand([1, 8, 8, 3], 9)) as tf.Tensor4D;
  const step = () => tf.dispose(opt.minimize(() => tf.mean(tf.abs(net(params, X))) as tf.Scalar, true, Object.values(params))!);
  step(); // Adam creates its moment slots on the first step
  await expectNoLeak(() => step());
  opt.dispose();
  X.dispose();
  Object.values(params).forEach((v) => v.dispose());
});
