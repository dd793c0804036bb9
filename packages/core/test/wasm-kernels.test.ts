import * as tf from '@tensorflow/tfjs-core';
import {
  WASM_TRAINING_KERNELS,
  ensureGradients,
  initBackend,
  interpolate,
  pixelShuffle,
} from '@sr/core';
import { asTensor } from '../src/backend/wasm-kernels/tensor-util.js';
import { T, on, rand, relErr, shapeOf, weightedSum, type HostArray } from './wasm-helpers.js';

// Parity of every kernel registered by registerWasmTrainingKernels (and of the existing WASM
// gradient kernels our models' backward passes hit) against the pure-JS CPU backend, the reference.
const TOL = 1e-4;
const z4 = (shape: number[]): tf.Tensor4D => tf.zeros(shape as [number, number, number, number]);

beforeAll(async () => {
  await ensureGradients();
  await initBackend('wasm');
});

/** Same function on cpu and wasm → relative error. */
async function parity(fn: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const ref = await on('cpu', fn);
  const got = await on('wasm', fn);
  return relErr(got, ref);
}

test('registers the missing kernels for wasm', () => {
  for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum', 'MaxPoolGrad']) {
    expect(WASM_TRAINING_KERNELS).toContain(k);
    expect(tf.getKernel(k, 'wasm')).toBeDefined();
  }
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const convCases: { name: string; x: number[]; k: number[]; s: number; pad: Pad }[] = [
  { name: '3×3 s1 same', x: [2, 9, 7, 3], k: [3, 3, 3, 5], s: 1, pad: 'same' },
  { name: '3×3 s2 same (odd size)', x: [1, 11, 9, 4], k: [3, 3, 4, 6], s: 2, pad: 'same' },
  { name: '3×3 s2 valid', x: [1, 10, 10, 2], k: [3, 3, 2, 3], s: 2, pad: 'valid' },
  { name: '1×1', x: [2, 6, 5, 7], k: [1, 1, 7, 4], s: 1, pad: 'valid' },
  { name: '5×5 s1 same', x: [1, 12, 10, 3], k: [5, 5, 3, 4], s: 1, pad: 'same' },
  { name: '5×3 s2 explicit', x: [1, 13, 11, 3], k: [5, 3, 3, 2], s: 2, pad: [[0, 0], [2, 1], [1, 2], [0, 0]] },
  { name: '4×4 s2 pad 1 (ConvTranspose ×2 shape)', x: [1, 8, 8, 4], k: [4, 4, 4, 4], s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  // CiaoSR's value paste: 6×6 patches at stride 2 (phase-decomposed transposed conv).
  { name: '6×6 s2 valid (CiaoSR paste)', x: [1, 15, 13, 3], k: [6, 6, 3, 5], s: 2, pad: 'valid' },
  { name: '1×1 s2 (empty phases)', x: [2, 7, 6, 3], k: [1, 1, 3, 4], s: 2, pad: 'valid' },
  { name: '3×3 s3 same', x: [1, 10, 8, 2], k: [3, 3, 2, 3], s: 3, pad: 'same' },
  { name: '2×3 s2 explicit large pad', x: [1, 9, 8, 2], k: [2, 3, 2, 3], s: 2, pad: [[0, 0], [3, 0], [0, 3], [0, 0]] },
];

describe('Conv2D gradients (Conv2DBackpropInput/Filter)', () => {
  test.each(convCases)('conv2d $name', async ({ x, k, s, pad }) => {
    const X = rand(x, 1);
    const K = rand(k, 2);
    const err = await parity(() => tf.grads((a: tf.Tensor, w: tf.Tensor) => weightedSum(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, s, pad), 3))([T(X), T(K)]));
    expect(err).toBeLessThan(TOL);
  });

  test.each(convCases.filter((c) => c.pad !== 'valid' || c.s === 1))('conv2dTranspose $name', async ({ x, k, s, pad }) => {
    // conv2dTranspose's forward is Conv2DBackpropInput; its gradients are Conv2D and Conv2DBackpropFilter.
    const [n, h, w] = x;
    const probe = shapeOf(() => tf.conv2d(z4(x), z4(k), s, pad));
    const Y = rand([n!, probe[1]!, probe[2]!, k[3]!], 4);
    const K = rand(k, 5);
    const f = (a: tf.Tensor, wt: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, wt as tf.Tensor4D, [n!, h!, w!, k[2]!], s, pad);
    // The forward output too: inference of ConvTranspose2d now runs on the replacement kernel.
    const err = await parity(() => [f(T(Y), T(K)), ...tf.grads((a: tf.Tensor, wt: tf.Tensor) => weightedSum(f(a, wt), 6))([T(Y), T(K)])]);
    expect(err).toBeLessThan(TOL);
  });

  test('fused conv2d (bias + relu) gradient', async () => {
    const X = rand([1, 8, 8, 3], 7);
    const K = rand([3, 3, 3, 4], 8);
    const B = rand([4], 9);
    const err = await parity(() =>
      tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        weightedSum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' }), 10),
      )([T(X), T(K), T(B)]),
    );
    expect(err).toBeLessThan(TOL);
  });
});

/** Zero-inserts a `[kh, kw, a, b]` kernel: the dense kernel equivalent to dilation `d`. */
function dilateHost(k: HostArray, d: number): HostArray {
  const [kh, kw, a, b] = k.shape as [number, number, number, number];
  const KH = d * (kh - 1) + 1;
  const KW = d * (kw - 1) + 1;
  const data = new Float32Array(KH * KW * a * b);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let q = 0; q < a * b; q++) data[((i * d) * KW + j * d) * a * b + q] = k.data[(i * kw + j) * a * b + q]!;
  return { shape: [KH, KW, a, b], data };
}

/** Runs a tfjs kernel by name (the reference backprop kernels are not all public ops). */
const kernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

/** The gradient taps of a zero-inserted kernel's gradient: entries at the dilated positions. */
function tapsOf(dense: Float32Array, k: number[], d: number): Float32Array {
  const [kh, kw, a, b] = k as [number, number, number, number];
  const KW = d * (kw - 1) + 1;
  const out = new Float32Array(kh * kw * a * b);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let q = 0; q < a * b; q++) out[(i * kw + j) * a * b + q] = dense[((d * i) * KW + d * j) * a * b + q]!;
  return out;
}

// tfjs refuses gradients of dilated convolutions and the CPU backprop kernels ignore `dilations`, so
// the reference is the CPU backprop of the equivalent dense (zero-inserted) kernel at dilation 1.
describe('dilation 2 (kernels called with attrs.dilations), against the zero-inserted dense kernel on cpu', () => {
  test.each([
    { depthwise: false, x: [1, 11, 10, 3], k: [3, 3, 3, 4], pad: 'same' as const },
    { depthwise: false, x: [2, 12, 9, 2], k: [3, 2, 2, 3], pad: 'valid' as const },
    { depthwise: true, x: [1, 12, 11, 2], k: [3, 3, 2, 2], pad: 'same' as const },
    { depthwise: true, x: [1, 10, 9, 3], k: [2, 3, 3, 1], pad: 'valid' as const },
  ])('depthwise=$depthwise kernel $k $pad', async ({ depthwise, x, k, pad }) => {
    const X = rand(x, 11);
    const K = rand(k, 12);
    const D = dilateHost(K, 2);
    const fwd = (a: tf.Tensor, w: tf.Tensor, dil: number) =>
      depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, pad, 'NHWC', dil) : tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, pad, 'NHWC', dil);
    const outShape = shapeOf(() => fwd(tf.zeros(x), tf.zeros(k), 2));
    const DY = rand(outShape, 13);
    const names = depthwise
      ? ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']
      : ['Conv2DBackpropInput', 'Conv2DBackpropFilter'];
    const run = (filter: HostArray, dil: number) => [
      kernel(names[0]!, { dy: T(DY), filter: T(filter) }, { strides: 1, pad, dilations: dil, dataFormat: 'NHWC', inputShape: x }),
      kernel(names[1]!, { x: T(X), dy: T(DY) }, { strides: 1, pad, dilations: dil, dataFormat: 'NHWC', filterShape: filter.shape }),
    ];
    const [refDx, refDw] = await on('cpu', () => run(D, 1));
    const got = await on('wasm', () => run(K, 2));
    expect(relErr(got, [refDx!, tapsOf(refDw!, k, 2)])).toBeLessThan(TOL);
  });
});

describe('depthwise (groups = channels) gradients', () => {
  test.each([
    { x: [2, 9, 8, 4], k: [3, 3, 4, 1], s: 1, d: 1, pad: 'same' as const },
    { x: [1, 11, 9, 3], k: [3, 3, 3, 2], s: 2, d: 1, pad: 'same' as const },
    { x: [1, 10, 10, 3], k: [5, 5, 3, 1], s: 1, d: 1, pad: 'valid' as const },
  ])('kernel $k stride $s dilation $d $pad', async ({ x, k, s, d, pad }) => {
    const X = rand(x, 21);
    const K = rand(k, 22);
    const fwd = (a: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(a, w, s, pad, 'NHWC', d);
    const outShape = shapeOf(() => fwd(z4(x), z4(k)));
    const DY = rand(outShape, 23);
    const err = await parity(() => {
      const attrs = { strides: s, dilations: d, pad, dimRoundingMode: undefined };
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: T(DY), filter: T(K) }, { ...attrs, inputShape: x } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: T(X), dy: T(DY) }, { ...attrs, filterShape: k } as unknown as tf.NamedAttrMap) as tf.Tensor;
      return [dx, dw];
    });
    expect(err).toBeLessThan(TOL);
    if (d === 1) {
      const viaGrad = await parity(() => tf.grads((a: tf.Tensor, w: tf.Tensor) => weightedSum(fwd(a as tf.Tensor4D, w as tf.Tensor4D), 24))([T(X), T(K)]));
      expect(viaGrad).toBeLessThan(TOL);
    }
  });
});

describe('BatchMatMul with transposed operands', () => {
  test.each([
    { a: [7, 5], b: [6, 5], ta: false, tb: true },
    { a: [5, 7], b: [5, 6], ta: true, tb: false },
    { a: [5, 7], b: [6, 5], ta: true, tb: true },
    { a: [3, 5, 7], b: [3, 6, 5], ta: true, tb: true },
    { a: [3, 7, 5], b: [1, 6, 5], ta: false, tb: true },
  ])('matches cpu: a $a (ᵀ $ta), b $b (ᵀ $tb)', async ({ a, b, ta, tb }) => {
    const A = rand(a, 50);
    const B = rand(b, 51);
    expect(await parity(() => tf.matMul(T(A), T(B), ta, tb))).toBeLessThan(1e-6);
  });
});

describe('no kernel frees data a live tensor still uses (issue #20)', () => {
  // The BatchMatMul wrapper used to wrap its operand in a second handle without raising the data's
  // reference count; disposing that handle freed the data shared by a reshape view and its source
  // (VSpSR's basis on WASM: "Cannot read properties of undefined (reading 'backend')").
  const refCount = (t: tf.Tensor) => (tf.backend() as unknown as { refCount(id: object): number }).refCount(t.dataId);

  test.each([
    { a: [3, 4, 5], b: [3, 6, 5], ta: false, tb: true },
    { a: [3, 5, 4], b: [3, 5, 6], ta: true, tb: false },
    { a: [3, 5, 4], b: [3, 6, 5], ta: true, tb: true },
  ])('matMul(ᵀ $ta, ᵀ $tb) of reshape views leaves the sources alive', async ({ a, b, ta, tb }) => {
    await tf.setBackend('wasm');
    const A = T(rand(a, 70));
    const B = T(rand(b, 71));
    const before = [refCount(A), refCount(B)];
    tf.tidy(() => tf.matMul(tf.reshape(A, a), tf.reshape(B, b), ta, tb));
    expect([refCount(A), refCount(B)]).toEqual(before);
    // The sources are still readable and usable (this threw in Engine.moveData before the fix).
    const again = tf.matMul(A, B, ta, tb);
    expect(Array.from(await again.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([again, A, B]);
  });

  test('asTensor on a bare TensorInfo holds its own reference', async () => {
    await tf.setBackend('wasm');
    const X = T(rand([2, 3], 72));
    const before = refCount(X);
    tf.tidy(() => {
      const handle = asTensor({ dataId: X.dataId, shape: X.shape, dtype: X.dtype });
      expect(refCount(X)).toBe(before + 1);
      return tf.add(handle, 1);
    }).dispose();
    expect(refCount(X)).toBe(before);
    await expect(X.data()).resolves.toHaveLength(6);
    X.dispose();
  });
});

describe('GatherV2 (heap copy)', () => {
  const X = rand([5, 4, 6], 40);
  test.each([
    { name: 'axis 0, 1-D indices', axis: 0, idx: [4, 0, 0, 2], shape: [4], batchDims: 0 },
    { name: 'axis 1, 2-D indices', axis: 1, idx: [3, 1, 0, 3], shape: [2, 2], batchDims: 0 },
    { name: 'axis 2 (slice of 1)', axis: 2, idx: [5, 0, 2], shape: [3], batchDims: 0 },
    { name: 'batchDims 1', axis: 1, idx: [0, 3, 1, 1, 2, 2, 3, 0, 0, 1], shape: [5, 2], batchDims: 1 },
  ])('matches cpu: $name', async ({ axis, idx, shape, batchDims }) => {
    const err = await parity(() => tf.gather(T(X), tf.tensor(idx, shape, 'int32'), axis, batchDims));
    expect(err).toBe(0);
  });

  test('rejects an out-of-range index like tfjs', async () => {
    await initBackend('wasm');
    expect(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32'))).toThrow(/index value 3 is not in \[0, 2\]/);
  });
});

describe('gather gradient (UnsortedSegmentSum)', () => {
  test('duplicate indices, axis 0 and 1, and the segment-sum op itself', async () => {
    const X = rand([6, 5, 3], 31);
    const err = await parity(() => [
      tf.grad((a: tf.Tensor) => weightedSum(tf.gather(a, tf.tensor1d([0, 2, 2, 5, 0, 0], 'int32'), 0), 32))(T(X)),
      tf.grad((a: tf.Tensor) => weightedSum(tf.gather(a, tf.tensor2d([[4, 4], [1, 0]], [2, 2], 'int32'), 1), 33))(T(X)),
      tf.unsortedSegmentSum(T(X), tf.tensor1d([3, 1, 3, 0, 1, 3], 'int32'), 5),
    ]);
    expect(err).toBeLessThan(TOL);
  });
});

describe('MaxPoolGrad (replaces the WASM kernel that drops entries)', () => {
  test.each([
    { k: 2, s: 2, pad: 'valid' as const, x: [2, 4, 4, 3] },
    { k: 3, s: 2, pad: 'same' as const, x: [1, 9, 7, 4] },
    { k: 3, s: 1, pad: 'same' as const, x: [1, 6, 6, 2] },
    { k: 3, s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] as unknown as number, x: [1, 8, 8, 3] },
  ])('maxPool k$k s$s $pad, with ties (ReLU zeros)', async ({ k, s, pad, x }) => {
    const X = rand(x, 41, true);
    const err = await parity(() => tf.grad((a: tf.Tensor) => weightedSum(tf.maxPool(a as tf.Tensor4D, k, s, pad), 42))(T(X)));
    expect(err).toBeLessThan(TOL);
  });
});

describe('existing WASM gradient kernels our layers hit', () => {
  const X = rand([1, 6, 8, 4], 51);
  // Square for resizeBilinear: the CPU backend's ResizeBilinearGrad (tfjs 4.22) fails on non-square
  // inputs ("gradient of input 'images' has shape 1,8,6,4"); WASM's works.
  const SQ = rand([1, 6, 6, 4], 56);
  const cases: [string, (a: tf.Tensor4D) => tf.Tensor][] = [
    ['Linear (matMul + bias)', (a) => tf.add(tf.matMul(tf.reshape(a, [-1, 4]), T(rand([4, 3], 52)) as tf.Tensor2D), T(rand([3], 53)))],
    ['PReLU', (a) => tf.prelu(a, T(rand([4], 54)))],
    ['LeakyReLU', (a) => tf.leakyRelu(a, 0.2)],
    ['pixelShuffle ×2', (a) => pixelShuffle(a, 2)],
    ['bilinear ×2 (interpolate)', (a) => interpolate(a, { scaleFactor: 2, mode: 'bilinear' })],
    ['nearest ×2', (a) => tf.image.resizeNearestNeighbor(a, [12, 16])],
    ['avgPool 2/2', (a) => tf.avgPool(a, 2, 2, 'valid')],
    ['avgPool 3/1 same', (a) => tf.avgPool(a, 3, 1, 'same')],
    ['concat + slice', (a) => tf.slice(tf.concat([a, tf.mul(a, 2)], 3), [0, 1, 2, 1], [1, 4, 5, 6])],
    ['pad', (a) => tf.pad(a, [[0, 0], [1, 2], [2, 1], [0, 0]])],
    ['mirrorPad reflect', (a) => tf.mirrorPad(a, [[0, 0], [1, 1], [2, 2], [0, 0]], 'reflect')],
    ['sigmoid · tanh · softmax', (a) => tf.mul(tf.sigmoid(a), tf.softmax(tf.tanh(a)))],
  ];
  test.each(cases)('%s', async (_name, f) => {
    const err = await parity(() => tf.grad((a: tf.Tensor) => weightedSum(f(a as tf.Tensor4D), 55))(T(X)));
    expect(err).toBeLessThan(TOL);
  });
  test.each([
    ['align corners', (a: tf.Tensor4D) => tf.image.resizeBilinear(a, [11, 13], true)],
    ['half-pixel ×0.5', (a: tf.Tensor4D) => tf.image.resizeBilinear(a, [3, 3], false, true)],
  ])('resizeBilinear %s (square input)', async (_name, f) => {
    const err = await parity(() => tf.grad((a: tf.Tensor) => weightedSum(f(a as tf.Tensor4D), 57))(T(SQ)));
    expect(err).toBeLessThan(TOL);
  });
});

test('kernels leave no tensors behind', async () => {
  await tf.setBackend('wasm');
  const X = T(rand([1, 8, 8, 3], 61));
  const K = T(rand([3, 3, 3, 4], 62));
  const before = tf.memory().numTensors;
  const g = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), 2, 2, 'valid')))([X, K]);
  g.forEach((t) => t.dispose());
  expect(tf.memory().numTensors).toBe(before);
  X.dispose();
  K.dispose();
});
