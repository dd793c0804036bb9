/**
 * Bilinear resizing as two small matrix products, `out = A_h · x · A_wᵀ`, with the interpolation
 * weights of PyTorch's `interpolate(mode='bilinear', align_corners=False)` given an output size
 * (half-pixel centres, source index clamped at 0, no antialiasing) — the very weights of
 * {@link interpolate}, from the same plan. Why a second path: `interpolate`'s gathers back-propagate
 * through `UnsortedSegmentSum`, which dominated a LocalSR (CLSR) training step on the cpu backend
 * (8 of 18 s); matrix products train fast on every backend.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { axisPlan } from './resample-plan.js';

/**
 * Dense `[outSize, inSize]` bilinear weight matrix of one axis (PyTorch `upsample_bilinear2d` with
 * `align_corners=False`, float32 index maths): row `d` holds the two taps of output pixel `d`.
 */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  if (!(Number.isInteger(inSize) && inSize >= 1 && Number.isInteger(outSize) && outSize >= 1))
    throw new InputError(`bilinearMatrix: sizes must be positive integers, got ${inSize} → ${outSize}`);
  const { indices, weights } = axisPlan(inSize, outSize, undefined, 'bilinear', false);
  const a = new Float32Array(outSize * inSize);
  for (let d = 0; d < outSize; d++)
    for (let t = 0; t < indices.length; t++) a[d * inSize + indices[t][d]] += (weights as Float32Array[])[t][d];
  return a;
}

/**
 * Bilinear resize of `x` `[B, h, w, C]` to `[B, size[0], size[1], C]`: equal to
 * `interpolate(x, { size, mode: 'bilinear' })`, but differentiable without gathers (see the module
 * comment). Returns a new tensor (a clone when the size is unchanged).
 */
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
