import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';

/**
 * `F.unfold(feat, k, padding=p)` reshaped back to the image grid, for NHWC features: every output pixel
 * holds its `k × k` neighbourhood (zero padded), channel index `c·k² + ky·k + kx` exactly as PyTorch
 * orders it (c-major), so official decoder weights that read unfolded features load unchanged.
 * Built from `k²` slices of the padded map and one stack — no arithmetic, so the values are bit-exact,
 * cheap, and differentiable on every backend (a conv with an identity kernel would cost `(k²C)²` MACs
 * per pixel).
 */
export function unfold(feat: tf.Tensor4D, kernel: number, padding: number = (kernel - 1) >> 1): tf.Tensor4D {
  if (feat.rank !== 4) throw new InputError(`unfold: feat must be NHWC [B, h, w, C], got [${feat.shape}]`);
  if (!Number.isInteger(kernel) || kernel < 1) throw new InputError(`unfold: kernel must be a positive integer, got ${kernel}`);
  const [b, h, w, c] = feat.shape;
  const oh = h + 2 * padding - kernel + 1;
  const ow = w + 2 * padding - kernel + 1;
  if (oh < 1 || ow < 1) throw new InputError(`unfold: ${h}×${w} is smaller than the ${kernel}×${kernel} kernel with padding ${padding}`);
  return tf.tidy(() => {
    const p = padding ? tf.pad(feat, [[0, 0], [padding, padding], [padding, padding], [0, 0]]) : feat;
    const parts: tf.Tensor4D[] = [];
    for (let ky = 0; ky < kernel; ky++) for (let kx = 0; kx < kernel; kx++) parts.push(tf.slice(p, [0, ky, kx, 0], [b, oh, ow, c]));
    // stack on a new last axis → [B, oh, ow, C, k²] → channel c·k² + (ky·k + kx)
    return tf.reshape(tf.stack(parts, 4), [b, oh, ow, c * kernel * kernel]);
  });
}

/** LIIF's `feat_unfold`: {@link unfold} with a 3×3 kernel and zero padding 1, `C` → `9C` channels (c·9 + ky·3 + kx). */
export function unfold3x3(feat: tf.Tensor4D): tf.Tensor4D {
  return unfold(feat, 3, 1);
}
