/**
 * Non-overlapping s×s patch (un)folding — `utils.py` `unfold`/`fold` of the official code, in NHWC.
 *
 * A map `[B, H, W, C]` becomes a sequence `[B, s², H/s, W/s, C]`: token `p = row·s + col` (raster
 * order inside the patch, p = 0 top-left) of the patch at grid cell `(gy, gx)` is pixel
 * `(gy·s + row, gx·s + col)`. This equals `F.unfold(x, s, stride=s).reshape(B, C, s², H/s, W/s)`
 * up to the channel axis being last. {@link foldPatches} is the exact inverse.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@sr/core';

/**
 * Swaps axes 1 and 2 of `x` viewed as `[a, b, c, d]` (sizes whose product is `x.size`): the only
 * transpose used here, because tfjs-webgpu 4.22 miscompiles rank-6 transposes (and this keeps every
 * permutation at rank 4).
 */
function swap12(x: tf.Tensor, a: number, b: number, c: number, d: number): tf.Tensor {
  return tf.transpose(tf.reshape(x, [a, b, c, d]), [0, 2, 1, 3]);
}

/** `[B, H, W, C]` → `[B, s², H/s, W/s, C]`. */
export function unfoldPatches(x: tf.Tensor, s: number): tf.Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  if (x.rank !== 4 || h % s || w % s) throw new InputError(`unfoldPatches: [${x.shape}] is not NHWC with H, W divisible by ${s}`);
  return tf.tidy(() => {
    const [gh, gw] = [h / s, w / s];
    // [B, gy, r, W·C] → [B, r, gy, W·C]; then per row [gx, c, C] → [c, gx, C]; then [gy, c] → [c, gy].
    const a = swap12(x, b, gh, s, w * c); //              [B, r, gy, gx, c, C]
    const bb = swap12(a, b * s * gh, gw, s, c); //        [B, r, gy, c, gx, C]
    const cc = swap12(bb, b * s, gh, s, gw * c); //       [B, r, c, gy, gx, C]
    return tf.reshape(cc, [b, s * s, gh, gw, c]);
  });
}

/** `[B, s², h, w, C]` → `[B, h·s, w·s, C]` (inverse of {@link unfoldPatches}). */
export function foldPatches(x: tf.Tensor, s: number): tf.Tensor4D {
  const [b, l, h, w, c] = x.shape as [number, number, number, number, number];
  if (x.rank !== 5 || l !== s * s) throw new InputError(`foldPatches: [${x.shape}] is not [B, ${s * s}, h, w, C]`);
  return tf.tidy(() => {
    const a = swap12(x, b * s, s, h, w * c); //          [B, r, gy, c, gx, C]
    const bb = swap12(a, b * s * h, s, w, c); //         [B, r, gy, gx, c, C]
    const cc = swap12(bb, b, s, h, w * s * c); //        [B, gy, r, gx, c, C]
    return tf.reshape(cc, [b, h * s, w * s, c]) as tf.Tensor4D;
  });
}

/**
 * Integer index map `[B, H, W]` → `[B, s², H/s, W/s]` int32 (same order as {@link unfoldPatches}).
 * The shuffle runs in float32 (exact below 2²⁴) because tfjs-webgpu 4.22 cannot transpose int32.
 */
export function unfoldIndexMap(ids: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.squeeze(unfoldPatches(tf.expandDims(tf.cast(ids, 'float32'), 3), s), [4]), 'int32'));
}

/** `[B, s², h, w]` → `[B, h·s, w·s]` int32 (inverse of {@link unfoldIndexMap}; the official `pred` fold). */
export function foldIndexMap(ids: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.squeeze(foldPatches(tf.expandDims(tf.cast(ids, 'float32'), 4), s), [3]), 'int32'));
}

/** Plain-JS {@link foldIndexMap} of per-position maps (`maps[p]`: `[B, h, w]` row-major) → `[B, h·s, w·s]`. */
export function foldIndexArrays(maps: Int32Array[], b: number, h: number, w: number, s: number): Int32Array {
  const out = new Int32Array(b * h * s * w * s);
  maps.forEach((m, p) => {
    const r = Math.floor(p / s);
    const c = p % s;
    for (let n = 0; n < b; n++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((n * h + y) * s + r) * w * s + x * s + c] = m[(n * h + y) * w + x]!;
  });
  return out;
}

/**
 * `x[:, start:start+len]` for a sequence `[B, L, …]` of any rank, sliced as a 3-D tensor: tfjs-webgpu
 * 4.22 cannot pad (the gradient of slice) tensors of rank 5 or more.
 */
export function sliceSeq(x: tf.Tensor, start: number, len: number): tf.Tensor {
  return tf.tidy(() => {
    const [b, l, ...rest] = x.shape;
    const inner = rest.reduce((a, d) => a * d, 1);
    const y = tf.slice(tf.reshape(x, [b!, l!, inner]), [0, start, 0], [-1, len, -1]);
    return tf.reshape(y, [b!, len, ...rest]);
  });
}
