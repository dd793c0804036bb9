import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-backprop.js';
import { padOrCrop } from './tensor-util.js';

/**
 * `dx` of a strided convolution (= a strided transposed convolution) by sub-pixel phase
 * decomposition, for dilation 1 and stride `s > 1`. The zero-upsampling formulation correlates a
 * map with `s² − 1` of every `s²` cells zero, so `s²` times the work it needs; CiaoSR's non-local
 * attention pastes 6×6 value patches with a stride-2 transposed convolution over 2304 score channels,
 * where that waste dominated a whole upscale. Here, per axis:
 *
 *   dx[i] = Σ_j dy[q − j] · W[r + j·s],  with t = i + top, q = ⌊t / s⌋, r = t mod s,
 *
 * so each of the `s_h·s_w` output phases `(r_y, r_x)` is a stride-1 correlation of `dy` with the
 * sub-kernel of taps `≡ r (mod s)` (rotated, in/out swapped), and the phases interleave into the
 * output (a depth-to-space by reshapes). Work equals the direct sum's; each phase is one XNNPACK conv.
 */
export function conv2dBackpropInputByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  g: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = inputShape;
    const [kh, kw] = filter.shape;
    const { sh, sw, top, left, outH, outW } = g;
    const qh = Math.ceil((h + top) / sh);
    const qw = Math.ceil((w + left) / sw);
    // Sub-kernels by row gathers (contiguous slices → memcpy on this backend) rather than a reverse
    // and strided slice of the whole filter (element-wise there; CiaoSR's filter has 5.3 M weights).
    const taps = (r: number, j: number, s: number) => tf.tensor1d(Array.from({ length: j }, (_, m) => r + (j - 1 - m) * s), 'int32');
    const rows: tf.Tensor[] = [];
    for (let ry = 0; ry < sh; ry++) {
      const cols: tf.Tensor[] = [];
      const jy = ry < kh ? Math.ceil((kh - ry) / sh) : 0;
      for (let rx = 0; rx < sw; rx++) {
        const jx = rx < kw ? Math.ceil((kw - rx) / sw) : 0;
        if (jy === 0 || jx === 0) {
          cols.push(tf.zeros([n, qh, qw, cin]));
          continue;
        }
        // Correlation tap m holds kernel tap r + (J−1−m)·s (the sub-kernel rotated), in/out swapped.
        const sub = tf.gather(tf.gather(filter, taps(ry, jy, sh), 0), taps(rx, jx, sw), 1);
        const kernel = tf.transpose(sub, [0, 1, 3, 2]) as tf.Tensor4D;
        const padded = padOrCrop(dy, jy - 1, qh - outH, jx - 1, qw - outW);
        cols.push(tf.conv2d(padded, kernel, 1, 'valid'));
      }
      rows.push(tf.reshape(tf.stack(cols, 3), [n, qh, qw * sw, cin]));
    }
    const full = tf.reshape(tf.stack(rows, 2), [n, qh * sh, qw * sw, cin]);
    return tf.slice(full, [0, top, left, 0], [n, h, w, cin]) as tf.Tensor4D;
  });
}
