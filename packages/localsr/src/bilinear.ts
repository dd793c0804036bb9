/**
 * Bilinear resizing as two small matrix products, `out = A_h · x · A_wᵀ`, with the interpolation
 * weights of PyTorch's `interpolate(mode='bilinear', align_corners=False)` given an output size
 * (half-pixel centres, source index clamped at 0, no antialiasing) — the same weights as @sr/core's
 * `interpolate`. Why not call that: its gathers back-propagate through `UnsortedSegmentSum`, which
 * dominated a CLSR training step on the cpu backend (8 of 18 s); matrix products train fast everywhere.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

const f32 = Math.fround;

/** Dense `[out, in]` bilinear weight matrix of one axis (PyTorch `upsample_bilinear2d`, float32 index maths). */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  const a = new Float32Array(outSize * inSize);
  const s = f32(inSize / outSize);
  const last = inSize - 1;
  for (let d = 0; d < outSize; d++) {
    let src = f32(s * (d + 0.5) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), last);
    const lambda = Math.min(Math.max(f32(src - i0), 0), 1);
    const i1 = i0 < last ? i0 + 1 : i0;
    a[d * inSize + i0] += 1 - lambda;
    a[d * inSize + i1] += lambda;
  }
  return a;
}

/** Bilinear resize of `x` `[B, h, w, C]` to `[B, size[0], size[1], C]` (differentiable, no gathers). */
export function bilinearResize(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const [oh, ow] = size;
  if (oh === h && ow === w) return tf.clone(x);
  return tf.tidy(() => {
    const ah = tf.tensor2d(bilinearMatrix(h, oh), [oh, h]);
    const aw = tf.tensor2d(bilinearMatrix(w, ow), [ow, w]);
    // rows: [b, h, w·c] → A_h·x per batch item (batch dims broadcast in BatchMatMul)
    const rows = tf.matMul(tf.reshape(ah, [1, oh, h]) as tf.Tensor3D, tf.reshape(x, [b, h, w * c]) as tf.Tensor3D);
    // columns: [b·oh, w, c] → A_w·x per row
    const cols = tf.matMul(tf.reshape(aw, [1, ow, w]) as tf.Tensor3D, tf.reshape(rows, [b * oh, w, c]) as tf.Tensor3D);
    return tf.reshape(cols, [b, oh, ow, c]) as tf.Tensor4D;
  });
}
