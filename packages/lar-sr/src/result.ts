/**
 * The image objects `LarSR.sample` returns: each owns one NHWC tensor `[1, H, W, 3]` (values as the
 * decoder produced them: x_c + texture residual, not clipped) and converts lazily.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodePng, tensorToImageAsync, toImageDataAsync, type ImageArray, type ImageDataLike } from '@sr/core';

/** One super-resolved sample. Call {@link LarSRImage.dispose} when done. */
export class LarSRImage {
  private tensor: tf.Tensor4D | null;
  constructor(
    tensor: tf.Tensor4D,
    /** Seed and stream index that produced this sample (reproduce it with the same options). */
    readonly seed: number,
    readonly index: number,
  ) {
    this.tensor = tensor;
  }

  private owned(): tf.Tensor4D {
    if (!this.tensor) throw new Error('LarSRImage was disposed');
    return this.tensor;
  }

  /** Width in pixels: `LarSR.scale` × the input's (4× with the RRDB coarse model, 1× when the input is already x_c). */
  get width(): number {
    return this.owned().shape[2];
  }
  /** Height in pixels, scaled like {@link LarSRImage.width}. */
  get height(): number {
    return this.owned().shape[1];
  }

  /** A copy of the image tensor `[1, H, W, 3]` (the caller disposes it). */
  toTensor(): tf.Tensor4D {
    return tf.clone(this.owned());
  }

  /**
   * 8-bit (or 16-bit) image, values clipped to [0, 1] and rounded as BasicSR's `tensor2img`. Async
   * because GPU backends (WebGPU in Node) can only be read asynchronously.
   */
  async toImageArray(bitDepth: 8 | 16 = 8): Promise<ImageArray> {
    return tensorToImageAsync(this.owned(), { bitDepth });
  }

  /** RGBA `ImageData` (a DOM ImageData in browsers, a look-alike in Node). */
  async toImageData(): Promise<ImageDataLike> {
    return toImageDataAsync(this.owned());
  }

  /** PNG bytes. */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray());
  }

  /** Frees the tensor. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
