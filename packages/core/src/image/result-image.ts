/**
 * The image object every `@sr` model returns (tfjs-models style): it owns one tensor, converts lazily
 * and asynchronously, and must be disposed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodePng } from './png.js';
import { tensorToImageAsync } from './tensor-convert.js';
import { imageArrayToImageData, type ImageDataLike } from './browser.js';
import type { ImageArray } from './image-array.js';

/** Options of the {@link ResultImage} constructor. */
export interface ResultImageOptions {
  /**
   * Message of the `Error` thrown when the image is used after {@link ResultImage.dispose}. Subclasses
   * pass their own so that their messages stay what they were. Default `'ResultImage was disposed'`.
   */
  disposedMessage?: string;
}

/**
 * An owned RGB(A) result image: one float tensor `[H, W, C]` or `[1, H, W, C]` (C = 3, or 4 with
 * alpha) holding values in [0, 1] (values outside are clipped by the conversions, never by the holder).
 *
 * Why a class rather than a tensor: a model's output usually lives on the GPU, and most callers want
 * bytes (PNG, `ImageData`) — the conversions here read the pixels with `await t.data()`, never
 * `dataSync` (synchronous reads throw on WebGPU in Node and stall browsers). Quantization is BasicSR's
 * `tensor2img`: `round(clip(x, 0, 1)·255)` with numpy's round-half-to-even on the float32 product
 * (see {@link tensorToImageAsync}); a NaN sample is an `InputError` (code `E_NAN`) instead of a silent 0.
 *
 * Ownership: the constructor takes the tensor; {@link ResultImage.toTensor} hands out a clone the
 * caller disposes; {@link ResultImage.dispose} frees the tensor (safe to call twice), after which every
 * other member throws. Paper packages subclass it to add their metadata (`index`, `seed`, `roi`, …).
 *
 * @typeParam T - the tensor rank the model produces: `tf.Tensor3D` (`[H, W, C]`) or `tf.Tensor4D`
 * (`[1, H, W, C]`); {@link ResultImage.toTensor} returns the same rank.
 */
export class ResultImage<T extends tf.Tensor3D | tf.Tensor4D = tf.Tensor3D | tf.Tensor4D> {
  private tensor: T | null;
  private readonly disposedMessage: string;

  /** Takes ownership of `tensor` (`[H, W, C]` or `[1, H, W, C]`, float, values in [0, 1]). */
  constructor(tensor: T, opts: ResultImageOptions = {}) {
    this.tensor = tensor;
    this.disposedMessage = opts.disposedMessage ?? 'ResultImage was disposed';
  }

  /** The owned tensor; throws once disposed. For subclasses' own conversions. */
  protected get t(): T {
    if (!this.tensor) throw new Error(this.disposedMessage);
    return this.tensor;
  }

  /** A dimension of `[H, W, C]` counted from the end of the shape, so that both ranks work. */
  private dim(fromEnd: 1 | 2 | 3): number {
    const s = this.t.shape;
    return s[s.length - fromEnd]!;
  }

  /** Width in pixels. */
  get width(): number {
    return this.dim(2);
  }
  /** Height in pixels. */
  get height(): number {
    return this.dim(3);
  }
  /** 3 (RGB) or 4 (RGBA). */
  get channels(): number {
    return this.dim(1);
  }
  /** True once {@link ResultImage.dispose} has been called. */
  get isDisposed(): boolean {
    return this.tensor === null;
  }

  /** A new tensor with the pixels, same shape as held (unclipped); the caller disposes it. */
  toTensor(): T {
    return tf.clone(this.t);
  }

  /**
   * 8-bit (default) or 16-bit interleaved samples, `round(clip(x, 0, 1)·max)` half to even
   * (BasicSR's `tensor2img`). Async: reads the tensor with `await data()` (WebGPU-safe).
   */
  async toImageArray(bitDepth: 8 | 16 = 8): Promise<ImageArray> {
    return tensorToImageAsync(this.t, { bitDepth });
  }

  /**
   * RGBA 8-bit `ImageData` (opaque alpha added to RGB): a DOM `ImageData` where the constructor exists
   * (browsers), a `{width, height, data}` look-alike elsewhere. Built from {@link ResultImage.toImageArray},
   * so a subclass that changes the quantization changes this too.
   */
  async toImageData(): Promise<ImageDataLike> {
    return imageArrayToImageData(await this.toImageArray(8));
  }

  /** 8-bit PNG file bytes (RGBA when the image has alpha), from {@link ResultImage.toImageArray}. */
  async toPNG(): Promise<Uint8Array> {
    return encodePng(await this.toImageArray(8));
  }

  /** Releases the tensor; further use throws. Safe to call twice. */
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
  }
}
