import type * as tf from '@tensorflow/tfjs-core';
import { ResultImage, type ImageArray } from '@sr/core';

/** numpy's round-half-to-even, as BasicSR's `tensor2img` rounds `x·255`. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The result of `upscale`: owns one `[H, W, C]` float32 tensor in [0, 1] (C = 3, or 4 when the input
 * had alpha). A {@link ResultImage}: `width` is `round(w·sx)` of the input width (half to even, as the
 * official test) or the exact width requested, likewise `height`; `channels` is 3 (RGB) or 4 (RGBA).
 * Conversions read the pixels asynchronously (WebGPU cannot read synchronously in Node).
 * Call {@link UpscaledImage.dispose} when done.
 */
export class UpscaledImage extends ResultImage<tf.Tensor3D> {
  /** Takes ownership of `tensor` (`[H, W, C]` float32 in [0, 1]). */
  constructor(tensor: tf.Tensor3D) {
    super(tensor, { disposedMessage: 'this UpscaledImage has been disposed' });
  }
  /**
   * 8-bit interleaved RGB/RGBA samples (`round(clip(x)·255)`, half to even). Unlike the core
   * {@link ResultImage.toImageArray} this rounds the float64 product and writes NaN as 0 (kept as it
   * was before the class moved to core, so outputs stay byte-identical); `bitDepth` 16 uses the core
   * conversion.
   */
  override async toImageArray(bitDepth: 8 | 16 = 8): Promise<ImageArray> {
    if (bitDepth === 16) return super.toImageArray(16);
    const t = this.t;
    const [height, width, channels] = t.shape;
    const src = (await t.data()) as Float32Array;
    const data = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      data[i] = roundEven((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
    return { width, height, channels: channels as 3 | 4, bitDepth: 8, data };
  }
}
