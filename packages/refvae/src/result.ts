import * as tf from '@tensorflow/tfjs-core';
import { ResultImage } from '@sr/core';

/** Where a sample's latent came from. */
export type SampleSource = 'reference' | 'noise' | 'self' | 'prior' | 'z';

/**
 * One super-resolved sample: a {@link ResultImage} owning the raw (unclamped) model output
 * `[1, H, W, 3]`. Conversions clamp to [0,1] as eval_8x.py does when saving, and read the tensor
 * asynchronously (synchronous reads are impossible on WebGPU in Node). Unlike the base class, `width`
 * and `height` stay readable after dispose, and `toTensor` clamps by default. Call
 * {@link RefVAEResult.dispose}.
 */
export class RefVAEResult extends ResultImage<tf.Tensor4D> {
  private readonly h: number;
  private readonly w: number;

  constructor(
    sr: tf.Tensor4D,
    /** What produced z for this sample. */
    readonly source: SampleSource,
    /** Index of the sample within its `upscale` call. */
    readonly index: number,
  ) {
    super(sr, { disposedMessage: 'RefVAEResult was disposed' });
    this.h = sr.shape[1];
    this.w = sr.shape[2];
  }

  /** Output height (known after dispose too). */
  override get height(): number {
    return this.h;
  }
  /** Output width (known after dispose too). */
  override get width(): number {
    return this.w;
  }

  /** A new `[1, H, W, 3]` tensor (caller disposes): clamped to [0,1] unless `clamp: false`. */
  override toTensor(opts: { clamp?: boolean } = {}): tf.Tensor4D {
    return opts.clamp === false ? tf.clone(this.t) : (tf.clipByValue(this.t, 0, 1) as tf.Tensor4D);
  }
}
