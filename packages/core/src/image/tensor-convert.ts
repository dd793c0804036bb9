/**
 * ImageArray ↔ tfjs tensor, with BasicSR's `img2tensor`/`tensor2img` value conventions.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { roundHalfEven } from '../ops/round.js';
import { maxValue, validateImageArray, type ImageArray } from './image-array.js';

/** Options of {@link imageToTensor}. */
export interface ImageToTensorOptions {
  /** Keep (default) or drop the alpha channel of gray+alpha / RGBA images. */
  alpha?: 'keep' | 'drop';
}

/** `[1, H, W, C]` float32 in [0, 1]: samples divided by 255 (8-bit) or 65535 (16-bit). */
export function imageToTensor(img: ImageArray, opts: ImageToTensorOptions = {}): tf.Tensor4D {
  validateImageArray(img);
  const { width, height, channels } = img;
  const drop = opts.alpha === 'drop' && (channels === 2 || channels === 4);
  const outC = drop ? channels - 1 : channels;
  const n = width * height;
  const out = new Float32Array(n * outC);
  const scale = 1 / maxValue(img.bitDepth);
  const src = img.data;
  if (!drop) for (let i = 0; i < out.length; i++) out[i] = src[i]! * scale;
  else
    for (let p = 0; p < n; p++)
      for (let c = 0; c < outC; c++) out[p * outC + c] = src[p * channels + c]! * scale;
  return tf.tensor4d(out, [1, height, width, outC], 'float32');
}

/** Options of {@link tensorToImage}. */
export interface TensorToImageOptions {
  /** Output bit depth. Default 8. */
  bitDepth?: 8 | 16;
  /** Value of white in the tensor. Default 1 ([0,1] tensors); use 255 for [0,255] tensors. */
  range?: number;
}

/**
 * Tensor `[H,W,C]` or `[1,H,W,C]` (C = 1..4) → {@link ImageArray}, as BasicSR's `tensor2img`:
 * `round(clip(x, 0, 1) · 255)` with numpy's round-half-to-even on the float32 product (65535 for 16-bit).
 * NaN anywhere is an {@link InputError} (it would otherwise silently become 0).
 */
export function tensorToImage(t: tf.Tensor, opts: TensorToImageOptions = {}): ImageArray {
  const shape = imageShape(t);
  return valuesToImage(t.dataSync() as Float32Array | Int32Array, shape, opts);
}

/**
 * {@link tensorToImage} reading the tensor with `await data()`: use it on WebGPU (in Node and in
 * browsers synchronous reads are refused) and wherever blocking the thread is unwelcome.
 */
export async function tensorToImageAsync(t: tf.Tensor, opts: TensorToImageOptions = {}): Promise<ImageArray> {
  const shape = imageShape(t);
  return valuesToImage((await t.data()) as Float32Array | Int32Array, shape, opts);
}

function imageShape(t: tf.Tensor): [number, number, number] {
  const shape = t.shape;
  if (!(shape.length === 3 || (shape.length === 4 && shape[0] === 1)))
    throw new InputError(`tensorToImage: expected [H,W,C] or [1,H,W,C], got [${shape}]`);
  const [height, width, channels] = shape.slice(-3) as [number, number, number];
  if (!(height > 0 && width > 0)) throw new InputError(`tensorToImage: empty image [${shape}]`, 'E_EMPTY_IMAGE');
  if (channels < 1 || channels > 4) throw new InputError(`tensorToImage: ${channels} channels (expected 1..4)`, 'E_CHANNELS');
  return [height, width, channels];
}

function valuesToImage(src: Float32Array | Int32Array, [height, width, channels]: [number, number, number], opts: TensorToImageOptions): ImageArray {
  const { bitDepth = 8, range = 1 } = opts;
  const max = maxValue(bitDepth);
  const data = bitDepth === 16 ? new Uint16Array(src.length) : new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]! / range;
    // v !== v is the NaN test (Number.isNaN is much slower under jest's vm realm).
    if (v !== v) throw new InputError(`tensorToImage: NaN at index ${i}`, 'E_NAN');
    const c = v < 0 ? 0 : v > 1 ? 1 : v;
    data[i] = roundHalfEven(Math.fround(Math.fround(c) * max));
  }
  return { width, height, channels: channels as 1 | 2 | 3 | 4, bitDepth, data };
}
