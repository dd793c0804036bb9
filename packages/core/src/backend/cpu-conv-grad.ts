/**
 * A fast `Conv2DBackpropFilter` kernel for tfjs's pure-JS 'cpu' backend. The stock kernel reads every
 * element through `TensorBuffer.get` (≈1 µs per multiply-add: 8 s of a 9 s training step of an
 * 8-channel EDSR was spent there); this one runs flat typed-array loops (≈1 ns per multiply-add) and
 * gives the same values up to float summation order. Opt-in, because kernel registration is global.
 * (The WASM backend's training kernels are in `wasm-kernels/`.)
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

interface CpuBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function backpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as Attrs;
  if (a.dataFormat !== 'NHWC') throw new Error('fast cpu Conv2DBackpropFilter: NHWC only');
  const be = args.backend as CpuBackendLike;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const [n, H, W, cin] = x.shape;
  const [kh, kw, , cout] = a.filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = be.readSync(x.dataId) as Float32Array;
  const gv = be.readSync(dy.dataId) as Float32Array;
  const out = new Float32Array(kh * kw * cin * cout);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const tap = (i * kw + j) * cin * cout;
      for (let b = 0; b < n; b++)
        for (let y = 0; y < oh; y++) {
          const xr = y * sh - top + i * dh;
          if (xr < 0 || xr >= H) continue;
          for (let xc = 0; xc < ow; xc++) {
            const xcol = xc * sw - left + j * dw;
            if (xcol < 0 || xcol >= W) continue;
            const xo = ((b * H + xr) * W + xcol) * cin;
            const go = ((b * oh + y) * ow + xc) * cout;
            for (let ci = 0; ci < cin; ci++) {
              const v = xv[xo + ci];
              if (v === 0) continue;
              const o = tap + ci * cout;
              for (let co = 0; co < cout; co++) out[o + co] += v * gv[go + co];
            }
          }
        }
    }
  return be.makeTensorInfo([kh, kw, cin, cout], 'float32', out);
}

let installed = false;

/**
 * Replaces the 'cpu' backend's `Conv2DBackpropFilter` with the fast kernel above (idempotent). Call
 * before training on the cpu backend; other backends are untouched.
 */
export function useFastCpuConvGradients(): void {
  if (installed) return;
  try {
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'cpu');
  } catch {
    // not registered yet (cpu backend not loaded): just register ours
  }
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'cpu', kernelFunc: backpropFilter as unknown as tf.KernelFunc });
  installed = true;
}
