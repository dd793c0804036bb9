/**
 * Tensor helpers shared by the CEM variants: channel folding (the official CEM filters every colour
 * channel with the same 2-D filter, a depthwise conv with groups=3) and PyTorch's `ReplicationPad2d`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** NHWC `[B, H, W, C]` → `[B·C, H, W, 1]` (row b·C + c = channel c of image b). */
export function foldChannels(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w, 1]));
}

/** Inverse of {@link foldChannels}. */
export function unfoldChannels(x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const [bc, h, w] = x.shape;
  return tf.tidy(() => tf.transpose(tf.reshape(x, [bc / channels, channels, h, w]), [0, 2, 3, 1]));
}

/** `nn.ReplicationPad2d(p)`: repeat the edge row/column `p` times on every side. */
export function replicatePad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 0) return tf.clone(x);
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const top = tf.tile(tf.slice(x, [0, 0, 0, 0], [n, 1, w, c]), [1, p, 1, 1]);
    const bottom = tf.tile(tf.slice(x, [0, h - 1, 0, 0], [n, 1, w, c]), [1, p, 1, 1]);
    const rows = tf.concat([top, x, bottom], 1) as tf.Tensor4D;
    const H = h + 2 * p;
    const left = tf.tile(tf.slice(rows, [0, 0, 0, 0], [n, H, 1, c]), [1, 1, p, 1]);
    const right = tf.tile(tf.slice(rows, [0, 0, w - 1, 0], [n, H, 1, c]), [1, 1, p, 1]);
    return tf.concat([left, rows, right], 2) as tf.Tensor4D;
  });
}

/** Cross-correlates every `[N, H, W, 1]` map with one square 2-D filter (row-major), 'valid'. */
export function correlate(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, filter, 1, 'valid');
}

/** A square row-major 2-D filter as a tfjs conv kernel `[k, k, 1, 1]`. */
export function filterTensor(data: Float32Array, size: number): tf.Tensor4D {
  return tf.tensor4d(data, [size, size, 1, 1], 'float32');
}
