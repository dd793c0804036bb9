import * as tf from '@tensorflow/tfjs-core';

/**
 * Float32 one-hot rows of integer-valued `indices` of any shape and dtype (flattened: `M` indices →
 * `[M, depth]`), correct on every backend: `tf.oneHot(indices, depth, 1, 0, 'float32')` writes int32
 * bit patterns into the float32 output on the WASM backend of tfjs 4.22 (1 reads as 1.4e-45), so a
 * loss or a codebook update built on it is silently zero there. The int32 one-hot, then a cast, is
 * right everywhere.
 */
export function oneHotFloat(indices: tf.Tensor, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(tf.cast(indices, 'int32'), [-1]) as tf.Tensor1D, depth), 'float32') as tf.Tensor2D);
}
