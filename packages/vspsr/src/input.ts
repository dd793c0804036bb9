/**
 * Accepted LR inputs of the VSpSR API and their conversion to a `[1, H, W, 3]` float32 tensor in
 * [0, 1]: tfjs tensors (`[H, W, C]` or `[1, H, W, C]`, values in [0, 1]), decoded images
 * (`ImageArray`, 8/16-bit) and `ImageData`. Gray is replicated to RGB; alpha is dropped (VSpSR is an
 * RGB model).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, imageDataToTensor, imageToTensor, isImageDataLike, type ImageArray, type ImageDataLike } from '@sr/core';

/** What `sample()` accepts. */
export type VSpSRInput = tf.Tensor | ImageArray | ImageDataLike;

function isImageArray(x: unknown): x is ImageArray {
  return typeof x === 'object' && x !== null && 'bitDepth' in x && 'channels' in x && 'data' in x;
}

/** Converts an input to an RGB `[1, H, W, 3]` float32 tensor (the caller disposes it). */
export function toRgbTensor(input: VSpSRInput): tf.Tensor4D {
  let t: tf.Tensor4D;
  if (input instanceof tf.Tensor) {
    if (input.rank === 3) t = tf.expandDims(input, 0) as tf.Tensor4D;
    else if (input.rank === 4 && input.shape[0] === 1) t = tf.clone(input) as tf.Tensor4D;
    else throw new InputError(`VSpSR expects one image [H, W, C] or [1, H, W, C], got [${input.shape}]`, 'E_SHAPE');
    if (t.dtype !== 'float32') {
      const f = tf.cast(t, 'float32') as tf.Tensor4D;
      t.dispose();
      t = f;
    }
  } else if (isImageArray(input)) t = imageToTensor(input, { alpha: 'drop' });
  else if (isImageDataLike(input)) t = imageDataToTensor(input as ImageDataLike, { alpha: 'drop' });
  else throw new InputError('VSpSR: unsupported image input (expected a tf.Tensor, an ImageArray or ImageData)');
  const c = t.shape[3];
  if (c === 3) return t;
  return tf.tidy(() => {
    try {
      if (c === 1) return tf.tile(t, [1, 1, 1, 3]) as tf.Tensor4D;
      if (c === 2 || c === 4) {
        const rgb = tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, c === 2 ? 1 : 3]);
        return (c === 2 ? tf.tile(rgb, [1, 1, 1, 3]) : rgb) as tf.Tensor4D;
      }
      throw new InputError(`VSpSR: ${c}-channel images are not supported (expected 1-4)`, 'E_CHANNELS');
    } finally {
      t.dispose();
    }
  });
}
