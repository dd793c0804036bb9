/**
 * The result of `upscaleRegion`: a lazy image object owning one tensor (tfjs-models style).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodePng, type ImageArray, type ImageDataLike } from '@sr/core';
import type { Roi } from './roi.js';

/** An HR region `[s·h, s·w, 3]` in [0, 1]; call {@link RegionImage.dispose} when done. */
export class RegionImage {
  private tensor: tf.Tensor3D | null;
  /** The LR ROI this region was computed for. */
  readonly roi: Roi;
  constructor(tensor: tf.Tensor3D, roi: Roi) {
    this.tensor = tensor;
    this.roi = { ...roi };
  }
  private get t(): tf.Tensor3D {
    if (!this.tensor) throw new Error('this RegionImage has been disposed');
    return this.tensor;
  }
  get width(): number {
    return this.t.shape[1];
  }
  get height(): number {
    return this.t.shape[0];
  }
  /** A new reference to the pixels `[H, W, 3]` in [0, 1]; the caller disposes it. */
  toTensor(): tf.Tensor3D {
    return tf.clone(this.t);
  }
  /**
   * 8-bit RGB {@link ImageArray}: `round(clip(x, 0, 1)·255)` with round-half-to-even (BasicSR's
   * `tensor2img`). Reads the tensor asynchronously (WebGPU cannot read synchronously).
   */
  async toImageArray(): Promise<ImageArray> {
    const src = (await this.t.data()) as Float32Array;
    const data = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = Math.fround(Math.min(1, Math.max(0, src[i])) * 255);
      const f = Math.floor(v);
      const d = v - f;
      data[i] = d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
    }
    return { width: this.width, height: this.height, channels: 3, bitDepth: 8, data };
  }
  /** RGBA 8-bit `ImageData` (a DOM `ImageData` in browsers, a look-alike object elsewhere). */
  async toImageData(): Promise<ImageDataLike> {
    const img = await this.toImageArray();
    const n = img.width * img.height;
    const rgba = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < n; i++) {
      rgba[i * 4] = img.data[i * 3];
      rgba[i * 4 + 1] = img.data[i * 3 + 1];
      rgba[i * 4 + 2] = img.data[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
    if (typeof ImageData !== 'undefined') return new ImageData(rgba, img.width, img.height);
    return { width: img.width, height: img.height, data: rgba };
  }
  /** 8-bit PNG bytes. */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray());
  }
  /** Releases the tensor. Safe to call twice. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
