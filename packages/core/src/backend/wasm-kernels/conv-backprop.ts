import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropInputByPhases } from './conv-transpose-phases.js';
import { asTensor, inputOf, type KernelArgs, assertNHWC, padForTaps, padOrCrop, pair2, tapSlice, zeroUpsample, type TensorInfoLike } from './tensor-util.js';

/**
 * Gradient kernels of 2-D convolutions for the WASM backend, built from its fast (XNNPACK) conv2d,
 * depthwiseConv2d and matMul kernels. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter and no
 * depthwise backprop kernels, and its Conv2DBackpropInput is a scalar loop (≈12× slower than its
 * conv2d on a 3×3 64→64 128² layer), so all four are provided here for any kernel size, stride,
 * dilation and padding (SAME, VALID, explicit). NHWC only.
 */

/**
 * Padding as tfjs conv ops accept it: `'valid'`, `'same'`, one pixel count for every side, or explicit
 * NHWC pairs `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
 */
export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The geometry every formulation below needs, from tfjs's own conv bookkeeping. */
export interface ConvGeometry {
  top: number;
  left: number;
  outH: number;
  outW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  kh: number;
  kw: number;
  effH: number;
  effW: number;
}

/** {@link ConvGeometry} of a convolution (or depthwise convolution) as tfjs computes it. */
export function convGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  const d = pair2(dilations);
  return geometryOf(tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, d, pad, dimRoundingMode, depthwise, 'channelsLast'));
}

/** {@link ConvGeometry} from tfjs's conv/pool bookkeeping (`computeConv2DInfo`, `computePool2DInfo`). */
export function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    top: info.padInfo.top,
    left: info.padInfo.left,
    outH: info.outHeight,
    outW: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    effH: info.effectiveFilterHeight,
    effW: info.effectiveFilterWidth,
  };
}

/**
 * Spreads `dy` back over an input of spatial size `[h, w]` ready for a stride-1 correlation with the
 * flipped kernel: zeros between rows/cols (stride), then `eff − 1 − pad` cells before and
 * `size + pad − len` after (negative amounts crop). Output of the correlation is exactly `[h, w]`.
 */
function spreadForTranspose(dy: tf.Tensor4D, g: ConvGeometry, h: number, w: number): tf.Tensor4D {
  const up = zeroUpsample(dy, g.sh, g.sw);
  const [, lh, lw] = up.shape;
  return padOrCrop(up, g.effH - 1 - g.top, h + g.top - lh, g.effW - 1 - g.left, w + g.left - lw);
}

/**
 * `dx` of `y = conv2d(x, W)`: the correlation of the zero-upsampled `dy` with the kernel rotated by
 * 180° and its in/out axes swapped (`[kh, kw, out, in]`), at the forward dilation, stride 1 — one
 * XNNPACK convolution instead of the backend's scalar loop. Strided, undilated cases skip the
 * inserted zeros (sub-pixel phase decomposition, `conv2dBackpropInputByPhases`).
 */
export function conv2dBackpropInputImpl(
  dyInfo: TensorInfoLike,
  filterInfo: TensorInfoLike,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dilations?: number | [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, false);
    if (g.dh === 1 && g.dw === 1 && (g.sh > 1 || g.sw > 1)) return conv2dBackpropInputByPhases(dy, filter, inputShape, g);
    const wf = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const spread = spreadForTranspose(dy, g, inputShape[1], inputShape[2]);
    return tf.conv2d(spread, wf, 1, 'valid', 'NHWC', [g.dh, g.dw]);
  });
}

/**
 * `dW` of `y = conv2d(x, W)` as ONE matMul: `dW[(i,j,c), o] = Σ_P x_tap(i,j)[c, P] · dy[P, o]`. The
 * padded input is transposed once to `[in, n, H, W]`, so each tap's strided, dilated window is
 * directly a `[in, P]` block (`P = n·outH·outW`); the kh·kw blocks stacked give `[kh·kw·in, P]`, which
 * multiplies `dy` (`[P, out]`) into `[kh·kw·in, out]` — already the `[kh, kw, in, out]` filter
 * layout. Measured on this backend (3×3, 64→64, 128²): 2× faster than kh·kw separate
 * `[out, P]·[P, in]` products, 1.7× faster than the NHWC-slice + concat + transpose im2col (the
 * backend's Slice copies one innermost row per call) and than a conv2d with `dy` as the kernel;
 * a transposed left matMul operand takes a ≈10× slower path. Extra memory: kh·kw × the input.
 */
export function conv2dBackpropFilterImpl(
  xInfo: TensorInfoLike,
  dyInfo: TensorInfoLike,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  dilations?: number | [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const [kh, kw, cin, cout] = filterShape;
    const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, false);
    const [n] = x.shape;
    const p = n * g.outH * g.outW;
    const xp = padForTaps(x, g);
    const blocks: tf.Tensor[] = [];
    if ((g.sh > 1 || g.sw > 1) && g.dh === 1 && g.dw === 1) {
      // Strided taps as plain slices: split the padded input into its s_h·s_w phases once
      // (`[s_h, s_w, in, n, H/s_h, W/s_w]`); tap (i, j) is phase (i mod s, j mod s) shifted by ⌊i/s⌋, ⌊j/s⌋.
      // The backend's StridedSlice is element-wise and cost ≈16 ms per tap on CiaoSR's attention paste.
      const [, hp, wp] = xp.shape;
      const H = Math.ceil(hp / g.sh) * g.sh;
      const W = Math.ceil(wp / g.sw) * g.sw;
      const xe = padOrCrop(xp, 0, H - hp, 0, W - wp);
      const phases = tf.transpose(tf.reshape(xe, [n, H / g.sh, g.sh, W / g.sw, g.sw, cin]), [2, 4, 5, 0, 1, 3]);
      // Rank 3 for the slices: the backend's Slice is fast up to rank 4, element-wise above.
      const flat = tf.reshape(phases, [g.sh * g.sw * cin * n, H / g.sh, W / g.sw]);
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const ph = ((i % g.sh) * g.sw + (j % g.sw)) * cin * n;
          const tap = tf.slice(flat, [ph, Math.floor(i / g.sh), Math.floor(j / g.sw)], [cin * n, g.outH, g.outW]);
          blocks.push(tf.reshape(tap, [cin, p]));
        }
    } else {
      const xt = tf.transpose(xp, [3, 0, 1, 2]) as tf.Tensor4D;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) blocks.push(tf.reshape(windowOfAxes23(xt, i * g.dh, j * g.dw, g.outH, g.outW, g.sh, g.sw), [cin, p]));
    }
    const cols = blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 0);
    const dW = tf.matMul(cols as tf.Tensor2D, tf.reshape(dy, [p, cout]) as tf.Tensor2D);
    return tf.reshape(dW, [kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/** Rows `r0 + k·sh` (axis 2) and cols `c0 + k·sw` (axis 3) of a `[a, b, H, W]` tensor. */
function windowOfAxes23(t: tf.Tensor4D, r0: number, c0: number, outH: number, outW: number, sh: number, sw: number): tf.Tensor4D {
  const [a, b] = t.shape;
  if (sh === 1 && sw === 1) return tf.slice(t, [0, 0, r0, c0], [a, b, outH, outW]);
  return tf.stridedSlice(t, [0, 0, r0, c0], [a, b, r0 + (outH - 1) * sh + 1, c0 + (outW - 1) * sw + 1], [1, 1, sh, sw]) as tf.Tensor4D;
}

/**
 * `dx` of a depthwise convolution (filter `[kh, kw, C, M]`, output channel `c·M + m`): a depthwise
 * correlation of the spread `dy` (`C·M` channels) with the rotated kernel, then a sum over `M`.
 */
export function depthwiseBackpropInputImpl(
  dyInfo: TensorInfoLike,
  filterInfo: TensorInfoLike,
  inputShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number] | undefined,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const filter = asTensor<tf.Rank.R4>(filterInfo);
    const [kh, kw, c, m] = filter.shape;
    const [n, h, w] = inputShape;
    const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
    const wf = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
    const spread = spreadForTranspose(dy, g, h, w);
    const y = tf.depthwiseConv2d(spread, wf, 1, 'valid', 'NHWC', [g.dh, g.dw]);
    return m === 1 ? y : (tf.sum(tf.reshape(y, [n, h, w, c, m]), 4) as tf.Tensor4D);
  });
}

/** `dW` of a depthwise convolution: per tap, `Σ_P slice[P, c] · dy[P, c·M + m]`. */
export function depthwiseBackpropFilterImpl(
  xInfo: TensorInfoLike,
  dyInfo: TensorInfoLike,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dilations: number | [number, number] | undefined,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo);
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const [kh, kw, c, m] = filterShape;
    const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const p = x.shape[0] * g.outH * g.outW;
    const dy3 = tf.reshape(dy, [p, c, m]);
    const xp = padForTaps(x, g);
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const patch = tf.reshape(tapSlice(xp, i * g.dh, j * g.dw, g.outH, g.outW, g.sh, g.sw), [p, c, 1]);
        parts.push(tf.sum(tf.mul(patch, dy3), 0));
      }
    return tf.reshape(tf.stack(parts), [kh, kw, c, m]) as tf.Tensor4D;
  });
}

/** The attribute bag of tfjs's conv backprop kernels (plus the optional `dilations` we honour). */
interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

const attrsOf = (a: KernelArgs): ConvBackpropAttrs => a.attrs as unknown as ConvBackpropAttrs;

/** Kernel configs for the 'wasm' backend (registered by {@link registerWasmTrainingKernels}). */
export const convBackpropKernels: tf.KernelConfig[] = [
  {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = attrsOf(args);
      assertNHWC('Conv2DBackpropInput', a.dataFormat);
      return conv2dBackpropInputImpl(inputOf(args, 'dy'), inputOf(args, 'filter'), a.inputShape!, a.strides, a.pad, a.dimRoundingMode, a.dilations);
    }) as unknown as tf.KernelFunc,
  },
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = attrsOf(args);
      assertNHWC('Conv2DBackpropFilter', a.dataFormat);
      return conv2dBackpropFilterImpl(inputOf(args, 'x'), inputOf(args, 'dy'), a.filterShape!, a.strides, a.pad, a.dimRoundingMode, a.dilations);
    }) as unknown as tf.KernelFunc,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = attrsOf(args);
      return depthwiseBackpropInputImpl(inputOf(args, 'dy'), inputOf(args, 'filter'), a.inputShape!, a.strides, a.pad, a.dilations, a.dimRoundingMode);
    }) as unknown as tf.KernelFunc,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = attrsOf(args);
      return depthwiseBackpropFilterImpl(inputOf(args, 'x'), inputOf(args, 'dy'), a.filterShape!, a.strides, a.pad, a.dilations, a.dimRoundingMode);
    }) as unknown as tf.KernelFunc,
  },
];
