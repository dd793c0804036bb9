/**
 * The image objects `LarSR.sample` returns: each owns one NHWC tensor `[1, H, W, 3]` (values as the
 * decoder produced them: x_c + texture residual, not clipped) and converts lazily.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ResultImage } from '@sr/core';

/**
 * One super-resolved sample: a {@link ResultImage} over `[1, H, W, 3]`. Its width and height are
 * `LarSR.scale` × the input's (4× with the RRDB coarse model, 1× when the input is already x_c);
 * `toTensor` returns the unclipped values, the byte conversions clip to [0, 1]. Call
 * {@link LarSRImage.dispose} when done.
 */
export class LarSRImage extends ResultImage<tf.Tensor4D> {
  constructor(
    tensor: tf.Tensor4D,
    /** Seed and stream index that produced this sample (reproduce it with the same options). */
    readonly seed: number,
    readonly index: number,
  ) {
    super(tensor, { disposedMessage: 'LarSRImage was disposed' });
  }
}
