import * as tf from '@tensorflow/tfjs-core';
import { encodePng, type ImageArray, type ImageDataLike } from '@sr/core';
import { tensorToUint8 } from './image-input.js';

/** Where a sample's latent came from. */
export type SampleSource = 'reference' | 'noise' | 'self' | 'prior' | 'z';

/**
 * One super-resolved sample. Owns one tensor, the raw (unclamped) model output `[1, H, W, 3]`;
 * conversions clamp to [0,1] as eval_8x.py does when saving; they read the tensor asynchronously
 * (synchronous reads are impossible on WebGPU in Node). Call {@link RefVAEResult.dispose}.
 */
export class RefVAEResult {
  private tensor: tf.Tensor4D | null;
  /** Output height and width. */
  readonly height: number;
  readonly width: number;

  constructor(
    sr: tf.Tensor4D,
    /** What produced z for this sample. */
    readonly source: SampleSource,
    /** Index of the sample within its `upscale` call. */
    readonly index: number,
  ) {
    this.tensor = sr;
    this.height = sr.shape[1];
    this.width = sr.shape[2];
  }

  private get t(): tf.Tensor4D {
    if (!this.tensor) throw new Error('RefVAEResult was disposed');
    return this.tensor;
  }

  /** A new `[1, H, W, 3]` tensor (caller disposes): clamped to [0,1] unless `clamp: false`. */
  toTensor(opts: { clamp?: boolean } = {}): tf.Tensor4D {
    return opts.clamp === false ? (tf.clone(this.t) as tf.Tensor4D) : (tf.clipByValue(this.t, 0, 1) as tf.Tensor4D);
  }

  /** 8-bit RGB {@link ImageArray} (`round(clip(x,0,1)·255)`), read asynchronously (WebGPU-safe). */
  async toImageArray(): Promise<ImageArray> {
    const u8 = await tensorToUint8(this.t);
    return { width: u8.width, height: u8.height, channels: 3, bitDepth: 8, data: u8.data };
  }

  /** RGBA `ImageData` (a DOM `ImageData` when the constructor exists, else a look-alike). */
  async toImageData(): Promise<ImageDataLike> {
    const { data, width, height } = await this.toImageArray();
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[i * 4] = data[i * 3];
      rgba[i * 4 + 1] = data[i * 3 + 1];
      rgba[i * 4 + 2] = data[i * 3 + 2];
      rgba[i * 4 + 3] = 255;
    }
    const ImageDataCtor = (globalThis as { ImageData?: new (d: Uint8ClampedArray, w: number, h: number) => ImageDataLike }).ImageData;
    return ImageDataCtor ? new ImageDataCtor(rgba, width, height) : { width, height, data: rgba };
  }

  /** PNG bytes. */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray());
  }

  /** Frees the tensor; later calls throw. Safe to call twice. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
