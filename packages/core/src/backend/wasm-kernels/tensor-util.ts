import * as tf from '@tensorflow/tfjs-core';

/**
 * Shared building blocks of the WASM training kernels. Every kernel here is written with public
 * tfjs ops, which dispatch to the WASM backend's own (XNNPACK) kernels; the engine runs ops called
 * inside a kernel with the gradient tape off, and a kernel may return a `Tensor` (the engine adopts
 * it as is). Bodies run inside `tf.tidy`, so intermediates are freed when the kernel returns.
 */

/** The `{dataId, shape, dtype}` a kernel receives; a `Tensor` when called from an op. */
export type TensorInfoLike = tf.TensorInfo | tf.Tensor;

/**
 * A `Tensor` view of a kernel input. Ops pass `Tensor`s, which are returned as they are (never wrapped
 * again). Other kernels may pass bare `TensorInfo`s: they get a new tracked handle on the same data,
 * and the data's reference count is raised for it. `Engine.makeTensorFromTensorInfo` does NOT raise it
 * (its doc says it does; the backend kernels that alias data, e.g. Reshape, call `backend.incRef`
 * themselves), so without the `incRef` disposing the handle would drop a reference the handle never
 * held and free the data under the tensors that still use it (issue #20: VSpSR's basis was freed by a
 * transposed matMul on WASM). The handle is freed by the surrounding `tf.tidy`.
 */
export function asTensor<R extends tf.Rank = tf.Rank>(info: TensorInfoLike): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  const engine = tf.engine();
  engine.backend.incRef(info.dataId);
  return engine.makeTensorFromTensorInfo(info as tf.TensorInfo) as tf.Tensor<R>;
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor, with
 * `value` in padded cells. Explicit paddings larger than a kernel's reach give negative amounts in the
 * transposed formulations below; cropping handles them instead of failing.
 */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number, value = 0): tf.Tensor4D {
  let y = x;
  const cropT = Math.max(0, -top);
  const cropB = Math.max(0, -bottom);
  const cropL = Math.max(0, -left);
  const cropR = Math.max(0, -right);
  if (cropT || cropB || cropL || cropR) {
    const [n, h, w, c] = y.shape;
    y = tf.slice(y, [0, cropT, cropL, 0], [n, h - cropT - cropB, w - cropL - cropR, c]);
  }
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt || pb || pl || pr)
    y = tf.pad(
      y,
      [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ],
      value,
    );
  return y;
}

/**
 * Inserts `s − 1` zeros between neighbouring pixels: `[n, h, w, c]` → `[n, (h−1)·sh+1, (w−1)·sw+1, c]`.
 * This turns a strided transposed convolution into a stride-1 convolution (and places a strided
 * scatter on a dense grid). Built from reshape + pad on rank-5 tensors, one axis at a time.
 */
export function zeroUpsample(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  let y = x;
  const [n, h, w, c] = y.shape;
  if (sh > 1) {
    const a = tf.pad(tf.reshape(y, [n, h, 1, w * c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    y = tf.slice(tf.reshape(a, [n, h * sh, w, c]), [0, 0, 0, 0], [n, (h - 1) * sh + 1, w, c]) as tf.Tensor4D;
  }
  if (sw > 1) {
    const hh = y.shape[1];
    const a = tf.pad(tf.reshape(y, [n * hh, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    y = tf.slice(tf.reshape(a, [n, hh, w * sw, c]), [0, 0, 0, 0], [n, hh, (w - 1) * sw + 1, c]) as tf.Tensor4D;
  }
  return y;
}

/**
 * The input pixels a kernel tap sees at every output position: from the (already padded) input,
 * rows `r0, r0+s, …` (`outH` of them) and likewise for columns — `[n, outH, outW, c]`.
 */
export function tapSlice(xPadded: tf.Tensor4D, r0: number, c0: number, outH: number, outW: number, sh: number, sw: number): tf.Tensor4D {
  const [n, , , c] = xPadded.shape;
  if (sh === 1 && sw === 1) return tf.slice(xPadded, [0, r0, c0, 0], [n, outH, outW, c]);
  return tf.stridedSlice(xPadded, [0, r0, c0, 0], [n, r0 + (outH - 1) * sh + 1, c0 + (outW - 1) * sw + 1, c], [1, sh, sw, 1]) as tf.Tensor4D;
}

/**
 * Pads the input so that every tap slice of a convolution/pool fits: `top`/`left` as the geometry
 * says, bottom/right as far as the last tap reaches (never less than zero).
 */
export function padForTaps(
  x: tf.Tensor4D,
  g: { top: number; left: number; outH: number; outW: number; sh: number; sw: number; effH: number; effW: number },
  value = 0,
): tf.Tensor4D {
  const [, h, w] = x.shape;
  const needH = (g.outH - 1) * g.sh + g.effH;
  const needW = (g.outW - 1) * g.sw + g.effW;
  return padOrCrop(x, g.top, Math.max(0, needH - g.top - h), g.left, Math.max(0, needW - g.left - w), value);
}

/** Rejects data formats other than NHWC (the layout used throughout @sr). */
export function assertNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast')
    throw new Error(`${kernel} (wasm training kernel): only NHWC is supported, got dataFormat '${dataFormat}'`);
}

/** A `[h, w]` pair from a number or pair attribute (absent → 1). */
export function pair2(v: number | number[] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]];
}

/** What a kernel function receives. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap };

/** A named kernel input, or a clear error when the caller left it out. */
export function inputOf(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (!t) throw new Error(`wasm training kernel: missing input '${name}'`);
  return t;
}
