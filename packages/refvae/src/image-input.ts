import * as tf from '@tensorflow/tfjs-core';
import { InputError, imageToTensor, isImageDataLike, roundHalfEven, type ImageArray, type ImageDataLike } from '@sr/core';
import type { Uint8Image } from './pil-resize.js';

/**
 * An image RefVAE accepts: a float tensor in [0,1] (`[H,W,C]` or `[1,H,W,C]`, C = 1, 3 or 4 — alpha
 * is dropped, gray replicated, as the official `.convert('RGB')`), a decoded {@link ImageArray}, or
 * an `ImageData`-like `{width, height, data}` (RGBA 8-bit).
 */
export type RefVAEImage = tf.Tensor | ImageArray | ImageDataLike;

function isImageArray(x: unknown): x is ImageArray {
  const o = x as ImageArray;
  return !!o && typeof o === 'object' && typeof o.channels === 'number' && typeof o.bitDepth === 'number' && 'data' in o;
}

/** Makes a 1-, 3- or 4-channel NHWC tensor RGB. */
function toRgb(t: tf.Tensor4D): tf.Tensor4D {
  const c = t.shape[3];
  if (c === 3) return t;
  if (c === 1) return tf.tile(t, [1, 1, 1, 3]);
  if (c === 4 || c === 2) return c === 4 ? tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 3]) : tf.tile(tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 1]), [1, 1, 1, 3]);
  throw new InputError(`expected 1, 3 or 4 channels, got ${c}`, 'E_CHANNELS');
}

/** `[1, H, W, 3]` float32 in [0, 1] (the official `ToTensor()` of an RGB PIL image). */
export function imageToRgbTensor(img: RefVAEImage, what = 'image'): tf.Tensor4D {
  return tf.tidy(() => {
    let t: tf.Tensor4D;
    if (img instanceof tf.Tensor) {
      if (img.rank === 3) t = tf.expandDims(img, 0) as tf.Tensor4D;
      else if (img.rank === 4 && img.shape[0] === 1) t = tf.clone(img) as tf.Tensor4D;
      else throw new InputError(`${what}: expected a [H,W,C] or [1,H,W,C] tensor, got [${img.shape}]`, 'E_SHAPE');
      t = tf.cast(t, 'float32');
    } else if (isImageDataLike(img)) {
      t = imageToTensor({ width: img.width, height: img.height, channels: 4, bitDepth: 8, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length) });
    } else if (isImageArray(img)) {
      t = imageToTensor(img);
    } else throw new InputError(`${what}: expected a tensor, ImageArray or ImageData`, 'E_INPUT');
    if (!(t.shape[1] > 0 && t.shape[2] > 0)) throw new InputError(`${what} is empty [${t.shape}]`, 'E_EMPTY_IMAGE');
    return toRgb(t);
  });
}

/**
 * 8-bit RGB samples of a `[1,H,W,3]` float tensor in [0,1]: `round(clip(x,0,1)·255)`, read
 * asynchronously (synchronous reads are impossible on WebGPU in Node).
 */
export async function tensorToUint8(t: tf.Tensor4D): Promise<Uint8Image> {
  const v = await t.data();
  const data = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x) throw new InputError(`image has NaN at index ${i}`, 'E_NAN');
    data[i] = roundHalfEven(Math.fround(Math.fround(x < 0 ? 0 : x > 1 ? 1 : x) * 255));
  }
  return { width: t.shape[2], height: t.shape[1], channels: t.shape[3], data };
}

/**
 * The image as 8-bit RGB, as the official code holds references (PIL images): 8-bit inputs are
 * used as they are, float tensors are rounded (`round(clip(x,0,1)·255)`).
 */
export async function imageToUint8(img: RefVAEImage, what = 'reference'): Promise<Uint8Image> {
  if (!(img instanceof tf.Tensor) && isImageArray(img) && img.bitDepth === 8 && img.channels === 3) {
    if (img.data.length !== img.width * img.height * 3) throw new InputError(`${what}: data does not match ${img.width}×${img.height}×3`);
    return { width: img.width, height: img.height, channels: 3, data: img.data as Uint8Array };
  }
  if (!(img instanceof tf.Tensor) && isImageDataLike(img)) {
    const n = img.width * img.height;
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = img.data[i * 4 + c];
    return { width: img.width, height: img.height, channels: 3, data };
  }
  const t = imageToRgbTensor(img, what);
  try {
    return await tensorToUint8(t);
  } finally {
    t.dispose();
  }
}

/** `[1, H, W, 3]` float32 = uint8 / 255 (`ToTensor()`). */
export function uint8ToTensor(img: Uint8Image): tf.Tensor4D {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255;
  return tf.tensor4d(out, [1, img.height, img.width, img.channels]);
}
