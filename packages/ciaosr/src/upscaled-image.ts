import * as tf from '@tensorflow/tfjs-core';
import { encodePng, type ImageArray, type ImageDataLike } from '@sr/core';

/** numpy's round-half-to-even, as BasicSR's `tensor2img` rounds `x·255`. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The result of `upscale`: owns one `[H, W, C]` float32 tensor in [0, 1] (C = 3, or 4 when the input
 * had alpha). Conversions read the pixels asynchronously (WebGPU cannot read synchronously in Node).
 * Call {@link UpscaledImage.dispose} when done.
 */
export class UpscaledImage {
  private tensor: tf.Tensor3D | null;
  constructor(tensor: tf.Tensor3D) {
    this.tensor = tensor;
  }
  private get t(): tf.Tensor3D {
    if (!this.tensor) throw new Error('this UpscaledImage has been disposed');
    return this.tensor;
  }
  /** Output width in pixels: `round(w·sx)` of the input width (half to even, as the official test), or the exact width requested. */
  get width(): number {
    return this.t.shape[1];
  }
  /** Output height in pixels: `round(h·sy)` of the input height, or the exact height requested. */
  get height(): number {
    return this.t.shape[0];
  }
  /** 3 (RGB) or 4 (RGBA). */
  get channels(): number {
    return this.t.shape[2];
  }
  /** A new reference to the pixels, `[H, W, C]` float32 in [0, 1]; the caller disposes it. */
  toTensor(): tf.Tensor3D {
    return tf.clone(this.t);
  }
  /** 8-bit interleaved RGB/RGBA samples (`round(clip(x)·255)`, half to even). */
  async toImageArray(): Promise<ImageArray> {
    const [height, width, channels] = this.t.shape;
    const src = (await this.t.data()) as Float32Array;
    const data = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      data[i] = roundEven((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
    return { width, height, channels: channels as 3 | 4, bitDepth: 8, data };
  }
  /** RGBA 8-bit `ImageData` (a DOM ImageData in browsers, a look-alike object elsewhere). */
  async toImageData(): Promise<ImageDataLike> {
    const img = await this.toImageArray();
    const n = img.width * img.height;
    const rgba = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) rgba[4 * i + k] = img.data[i * img.channels + k];
      rgba[4 * i + 3] = img.channels === 4 ? img.data[4 * i + 3] : 255;
    }
    const Ctor = (globalThis as { ImageData?: new (d: Uint8ClampedArray, w: number, h: number) => ImageDataLike }).ImageData;
    return Ctor ? new Ctor(rgba, img.width, img.height) : { width: img.width, height: img.height, data: rgba };
  }
  /** 8-bit PNG bytes (RGBA when the input had alpha). */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray());
  }
  /** Releases the tensor. Safe to call twice. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
