/**
 * The result object every @sr sampler returns: a lazy image that owns one `[1, H, W, 3]` tensor in
 * [0, 1] and converts on demand.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodePng, tensorToImageAsync, toImageDataAsync, type ImageArray, type ImageDataLike } from '@sr/core';

/** One super-resolved sample. Call {@link SrImage.dispose} when done (it owns a tensor). */
export class SrImage {
  private tensor: tf.Tensor4D | null;

  constructor(
    tensor: tf.Tensor4D,
    /** Seed index of this sample within its `sample()` call. */
    readonly index = 0,
  ) {
    this.tensor = tensor;
  }

  private get t(): tf.Tensor4D {
    if (!this.tensor) throw new Error('SrImage was disposed');
    return this.tensor;
  }

  /** Height in pixels. */
  get height(): number {
    return this.t.shape[1];
  }
  /** Width in pixels. */
  get width(): number {
    return this.t.shape[2];
  }

  /** A copy of the image tensor `[1, H, W, 3]` in [0, 1] (the caller disposes it). */
  toTensor(): tf.Tensor4D {
    return tf.clone(this.t);
  }

  /**
   * 8-bit (or 16-bit) interleaved pixels, `round(clip(x)·255)` (BasicSR's `tensor2img`). Async because
   * GPU backends can only be read back asynchronously.
   */
  async toImageArray(bitDepth: 8 | 16 = 8): Promise<ImageArray> {
    return tensorToImageAsync(this.t, { bitDepth });
  }

  /** RGBA ImageData (a DOM `ImageData` in browsers, a look-alike in Node). */
  async toImageData(): Promise<ImageDataLike> {
    return toImageDataAsync(this.t);
  }

  /** PNG file bytes (8-bit RGB). */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray(8));
  }

  /** Releases the tensor; further calls throw. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
