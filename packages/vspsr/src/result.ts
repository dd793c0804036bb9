/**
 * The result object every @sr sampler returns: a lazy image that owns one `[1, H, W, 3]` tensor in
 * [0, 1] and converts on demand.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ResultImage } from '@sr/core';

/**
 * One super-resolved sample: a {@link ResultImage} over `[1, H, W, 3]` in [0, 1] (`toTensor` returns
 * that shape; `toImageArray` takes a bit depth, 8 or 16). Call {@link SrImage.dispose} when done (it
 * owns a tensor).
 */
export class SrImage extends ResultImage<tf.Tensor4D> {
  constructor(
    tensor: tf.Tensor4D,
    /** Seed index of this sample within its `sample()` call. */
    readonly index = 0,
  ) {
    super(tensor, { disposedMessage: 'SrImage was disposed' });
  }
}
