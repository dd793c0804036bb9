import * as tf from '@tensorflow/tfjs-core';
import { MIX_GATHERED_ROWS, mixGatheredRows, mixGatheredRowsComposite } from '@sr/core';
import { T, initKernelTestBackends, on, rand, relErr, weightedSum } from './wasm-helpers.js';

// The fused gather + gate + neighbour mixture (SrMixGatheredRows) on every backend against the composite
// of tfjs ops on the pure-JS CPU backend (the reference), forward and backward, for the decoders' K = 4
// (the unrolled loop) and another K (the general loop).
const [N, D, Q] = [29, 20, 37];

function run(fused: boolean, k: number) {
  const idx = Int32Array.from({ length: k * Q }, (_, i) => (i * 11 + (i % 7)) % N);
  const x = { table: rand([N, D], 1), gate: rand([k * Q, D], 2), weights: rand([k, Q], 3) };
  return () => {
    const [table, gate, weights] = [T(x.table), T(x.gate), T(x.weights)] as tf.Tensor2D[];
    const index = tf.tensor1d(idx, 'int32');
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => (fused ? mixGatheredRows : mixGatheredRowsComposite)(a as tf.Tensor2D, index, b as tf.Tensor2D, c as tf.Tensor2D);
    const y = f(table!, gate!, weights!);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => weightedSum(f(a, b, c), 9))([table!, gate!, weights!]);
    return [y, ...grads];
  };
}

let hasWebGPU = false; // reported by the webgpu tests below
beforeAll(async () => {
  hasWebGPU = await initKernelTestBackends();
});

describe.each([4, 3])('mixGatheredRows, K = %i', (k) => {
  test.each(['cpu', 'wasm'])('%s kernel = composite on cpu (values and gradients)', async (backend) => {
    const ref = await on('cpu', run(false, k));
    const got = await on(backend, run(true, k));
    expect(Boolean(tf.getKernel(MIX_GATHERED_ROWS, backend))).toBe(true);
    expect(relErr(got, ref)).toBeLessThan(1e-5);
  });

  test('webgpu (the composite) = composite on cpu', async () => {
    if (!hasWebGPU) {
      console.warn('mixGatheredRows: no WebGPU adapter in this process — webgpu was NOT tested');
      return;
    }
    const ref = await on('cpu', run(false, k));
    const got = await on('webgpu', run(true, k));
    expect(relErr(got, ref)).toBeLessThan(1e-5);
  });
});

test.each(['cpu', 'wasm'])('%s: bad shapes, dtypes and indices are clear errors; empty inputs; no tensors leak', async (backend) => {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const table = tf.ones([4, 3]) as tf.Tensor2D;
  const gate = tf.ones([10, 3]) as tf.Tensor2D;
  const weights = tf.ones([2, 5]) as tf.Tensor2D;
  const index = tf.zeros([10], 'int32') as tf.Tensor1D;
  const bad = { short: tf.zeros([9], 'int32') as tf.Tensor1D, float: tf.zeros([10]) as tf.Tensor1D, range: tf.fill([10], 4, 'int32') as tf.Tensor1D };
  const mid = tf.memory().numTensors;
  const y = mixGatheredRows(table, index, gate, weights);
  expect(y.shape).toEqual([5, 3]);
  expect(Array.from(await y.data())).toEqual(new Array(15).fill(2));
  y.dispose();
  expect(() => mixGatheredRows(table, bad.short, gate, weights)).toThrow(/shapes disagree/);
  expect(() => mixGatheredRows(table, bad.float, gate, weights)).toThrow(/int32/);
  expect(() => mixGatheredRows(table, bad.range, gate, weights)).toThrow(/not in \[0, 3\]/);
  const none = { table: tf.zeros([0, 3]) as tf.Tensor2D, index: tf.zeros([0], 'int32') as tf.Tensor1D, gate: tf.zeros([0, 3]) as tf.Tensor2D, weights: tf.zeros([2, 0]) as tf.Tensor2D };
  expect(() => mixGatheredRows(none.table, index, gate, weights)).toThrow(/empty table/);
  const empty = mixGatheredRows(table, none.index, none.gate, none.weights);
  expect(empty.shape).toEqual([0, 3]);
  empty.dispose();
  tf.dispose(Object.values(none));
  expect(tf.memory().numTensors).toBe(mid);
  tf.dispose([table, gate, weights, index, ...Object.values(bad)]);
  expect(tf.memory().numTensors).toBe(before);
});
