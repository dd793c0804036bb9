import * as tf from '@tensorflow/tfjs-core';
import { GATHER_LINEAR, gatherLinear, gatherLinearComposite, type GatherLinearActivation } from '@sr/core';
import { T, initKernelTestBackends, on, rand, relErr, weightedSum } from './wasm-helpers.js';

// The fused gather + affine + activation kernel (SrGatherLinear) on every backend that has one, against
// the composite of tfjs ops on the pure-JS CPU backend (the reference), forward and backward.
const [N, C, M] = [37, 24, 150];
const idx = Int32Array.from({ length: M }, (_, i) => (i * 7 + (i % 5)) % N);

function inputs(r: number) {
  return { table: rand([N, C], 1), rel: rand([M, r], 2), weight: rand([r, C], 3), bias: rand([C], 4) };
}

/** The op and its gradients w.r.t. table, rel, weight and bias (through a random weighted sum). */
function run(fused: boolean, r: number, act: GatherLinearActivation) {
  const x = inputs(r);
  return () => {
    const [table, rel, weight, bias] = [T(x.table), T(x.rel), T(x.weight), T(x.bias)] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const index = tf.tensor1d(idx, 'int32');
    const f = (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor2D, d: tf.Tensor1D) => (fused ? gatherLinear : gatherLinearComposite)(a, index, b, c, d, act);
    const y = f(table, rel, weight, bias);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => weightedSum(f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D), 9))([table, rel, weight, bias]);
    return [y, ...grads];
  };
}

let hasWebGPU = false; // reported by the webgpu tests below
beforeAll(async () => {
  hasWebGPU = await initKernelTestBackends();
});

describe.each([
  ['relu', 2],
  ['relu', 4],
  ['linear', 2],
] as const)('gatherLinear %s, R = %i', (act, r) => {
  test.each(['cpu', 'wasm'])('%s = composite on cpu (values and gradients)', async (backend) => {
    const ref = await on('cpu', run(false, r, act));
    const got = await on(backend, run(true, r, act));
    // cpu has the fused kernel; wasm runs the composite on purpose (its SIMD ops beat a JS loop)
    expect(Boolean(tf.getKernel(GATHER_LINEAR, backend))).toBe(backend === 'cpu');
    expect(relErr(got, ref)).toBeLessThan(1e-5);
  });

  test('webgpu kernel = composite on cpu', async () => {
    if (!hasWebGPU) {
      console.warn('gatherLinear: no WebGPU adapter in this process — the WebGPU kernel was NOT tested');
      return;
    }
    const ref = await on('cpu', run(false, r, act));
    const got = await on('webgpu', run(true, r, act));
    expect(relErr(got, ref)).toBeLessThan(1e-5);
  });
});

test('bad shapes and index dtype are clear errors; no tensors leak', async () => {
  await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const [table, rel, weight, bias] = [tf.zeros([4, 3]), tf.zeros([5, 2]), tf.zeros([2, 3]), tf.zeros([3])] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const bad = [tf.zeros([4], 'int32'), tf.zeros([5]), tf.fill([5], 9, 'int32')] as tf.Tensor1D[];
  const index = tf.zeros([5], 'int32') as tf.Tensor1D;
  const mid = tf.memory().numTensors;
  gatherLinear(table, index, rel, weight, bias, 'relu').dispose();
  expect(() => gatherLinear(table, bad[0]!, rel, weight, bias)).toThrow(/shapes disagree/);
  expect(() => gatherLinear(table, bad[1]!, rel, weight, bias)).toThrow(/int32/);
  expect(() => gatherLinear(table, bad[2]!, rel, weight, bias)).toThrow(/not in \[0, 3\]/);
  expect(tf.memory().numTensors).toBe(mid);
  tf.dispose([table, rel, weight, bias, index, ...bad]);
  expect(tf.memory().numTensors).toBe(before);
});
