/**
 * Browser image types (ImageData, canvas, OffscreenCanvas, ImageBitmap, <img>) ↔ tensors. ImageData is
 * always RGBA 8-bit; `alpha: 'drop'` (default) keeps RGB.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { imageToTensor, tensorToImage, tensorToImageAsync } from './tensor-convert.js';
import type { ImageArray } from './image-array.js';

/** The shape of a DOM `ImageData` (a plain object with these fields works too, e.g. in Node). */
export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Anything drawable to a 2D canvas. */
export type DrawableImage = HTMLCanvasElement | OffscreenCanvas | ImageBitmap | HTMLImageElement;

/** True for ImageData and look-alikes (`{width, height, data}` with 4 samples per pixel). */
export function isImageDataLike(x: unknown): x is ImageDataLike {
  const o = x as ImageDataLike;
  return !!o && typeof o === 'object' && typeof o.width === 'number' && typeof o.height === 'number' &&
    (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array) && o.data.length === o.width * o.height * 4;
}

/** ImageData (RGBA 8-bit) → {@link ImageArray} with 4 channels. */
export function imageDataToImageArray(img: ImageDataLike): ImageArray {
  if (!isImageDataLike(img)) throw new InputError('expected ImageData: {width, height, data} with width·height·4 bytes');
  return { width: img.width, height: img.height, channels: 4, bitDepth: 8, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length) };
}

/** ImageData → `[1,H,W,3]` (alpha dropped, default) or `[1,H,W,4]` float32 in [0,1]. */
export function imageDataToTensor(img: ImageDataLike, opts: { alpha?: 'keep' | 'drop' } = {}): tf.Tensor4D {
  return imageToTensor(imageDataToImageArray(img), { alpha: opts.alpha ?? 'drop' });
}

/** Reads the pixels of a canvas / ImageBitmap / <img> through a 2D context (browser or OffscreenCanvas). */
export function drawableToImageData(src: DrawableImage): ImageDataLike {
  const s = src as { width: number; height: number; naturalWidth?: number; naturalHeight?: number; getContext?: (t: '2d') => unknown };
  const width = s.naturalWidth || s.width;
  const height = s.naturalHeight || s.height;
  if (!(width > 0 && height > 0)) throw new InputError(`empty image source (${width}×${height})`, 'E_EMPTY_IMAGE');
  const direct = typeof s.getContext === 'function' ? (s.getContext('2d') as CanvasRenderingContext2D | null) : null;
  if (direct) return direct.getImageData(0, 0, width, height);
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;
  if (typeof OffscreenCanvas !== 'undefined') ctx = new OffscreenCanvas(width, height).getContext('2d');
  else if (typeof document !== 'undefined') {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    ctx = c.getContext('2d');
  }
  if (!ctx) throw new InputError('no 2D canvas available to read image pixels (browser only)');
  ctx.drawImage(src as CanvasImageSource, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}

/** Canvas / ImageBitmap / <img> / ImageData → `[1,H,W,3|4]` float32 in [0,1]. */
export function browserImageToTensor(src: DrawableImage | ImageDataLike, opts: { alpha?: 'keep' | 'drop' } = {}): tf.Tensor4D {
  return imageDataToTensor(isImageDataLike(src) ? src : drawableToImageData(src), opts);
}

/**
 * Tensor `[H,W,C]`/`[1,H,W,C]` in [0,1] (C = 1..4) → ImageData (RGBA 8-bit; gray replicated, opaque
 * alpha added when missing). Returns a DOM `ImageData` when the constructor exists, else a look-alike.
 */
export function toImageData(t: tf.Tensor): ImageDataLike {
  return imageArrayToImageData(tensorToImage(t, { bitDepth: 8 }));
}

/** {@link toImageData} with an asynchronous tensor read (required on WebGPU). */
export async function toImageDataAsync(t: tf.Tensor): Promise<ImageDataLike> {
  return imageArrayToImageData(await tensorToImageAsync(t, { bitDepth: 8 }));
}

/** 8-bit {@link ImageArray} (1–4 channels) → RGBA ImageData (gray replicated, opaque alpha added). */
export function imageArrayToImageData(img: ImageArray): ImageDataLike {
  if (img.bitDepth !== 8) throw new InputError('imageArrayToImageData: ImageData is 8-bit; convert 16-bit images first');
  const n = img.width * img.height;
  const rgba = new Uint8ClampedArray(n * 4);
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    const g = img.data[s]!;
    rgba[i * 4] = g;
    rgba[i * 4 + 1] = c >= 3 ? img.data[s + 1]! : g;
    rgba[i * 4 + 2] = c >= 3 ? img.data[s + 2]! : g;
    rgba[i * 4 + 3] = c === 2 ? img.data[s + 1]! : c === 4 ? img.data[s + 3]! : 255;
  }
  if (typeof ImageData !== 'undefined') return new ImageData(rgba, img.width, img.height);
  return { width: img.width, height: img.height, data: rgba };
}
