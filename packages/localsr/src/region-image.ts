/**
 * The result of `upscaleRegion`: a lazy image object owning one tensor (tfjs-models style).
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ResultImage } from '@sr/core';
import type { Roi } from './roi.js';

/**
 * An HR region `[s·h, s·w, 3]` in [0, 1]: a {@link ResultImage} whose width and height are
 * `s · roi.width` and `s · roi.height` HR pixels. Call {@link RegionImage.dispose} when done.
 */
export class RegionImage extends ResultImage<tf.Tensor3D> {
  /** The LR ROI this region was computed for. */
  readonly roi: Roi;
  /** Takes ownership of `tensor` (`[s·h, s·w, 3]`); copies `roi`. */
  constructor(tensor: tf.Tensor3D, roi: Roi) {
    super(tensor, { disposedMessage: 'this RegionImage has been disposed' });
    this.roi = { ...roi };
  }
}
