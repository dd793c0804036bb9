/**
 * Turns whatever the user has (tensor, decoded image, file path, URL, encoded bytes, ImageData) into
 * float64 pixels on the 0–255 scale, the representation every metric here is computed on
 * (BasicSR's metrics take uint8-valued HWC arrays and compute in float64).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, isImageDataLike, readImage, roundHalfEven, type ImageArray, type ImageDataLike } from '@sr/core';

/** Anything a metric accepts as an image. */
export type MetricInput = tf.Tensor | ImageArray | ImageDataLike | string | URL | ArrayBuffer | Uint8Array;

/** How tensor inputs are read. */
export interface InputOptions {
  /** Value of white in tensor inputs: 1 (default, tensors in [0,1]) or 255. Ignored for decoded images. */
  range?: 1 | 255;
  /**
   * Quantise tensor inputs to 8 bits first, `round(clip(x,0,1)·255)` half-to-even, as BasicSR's
   * `tensor2img` does before its metrics (default true: numbers match what you get from saved PNGs).
   * With false, the float values are used as they are (scaled to 0–255).
   */
  quantize?: boolean;
}

/** Float64 HWC pixels on the 0–255 scale. */
export interface Pixels {
  data: Float64Array;
  height: number;
  width: number;
  channels: number;
}

function isImageArray(x: unknown): x is ImageArray {
  const o = x as ImageArray;
  return !!o && typeof o === 'object' && typeof o.channels === 'number' && (o.bitDepth === 8 || o.bitDepth === 16) &&
    (o.data instanceof Uint8Array || o.data instanceof Uint16Array);
}

function tensorShape(t: tf.Tensor, what: string): [number, number, number] {
  const s = t.shape;
  if (!(s.length === 3 || (s.length === 4 && s[0] === 1)))
    throw new InputError(`${what}: expected a tensor [H,W,C] or [1,H,W,C], got [${s}]`);
  return s.slice(-3) as [number, number, number];
}

/** Tensor values → pixels (read with `dataSync` or `await data()` by the caller). */
function fromTensorData(src: ArrayLike<number>, [height, width, channels]: [number, number, number], opts: InputOptions, what: string): Pixels {
  const range = opts.range ?? 1;
  const quantize = opts.quantize ?? true;
  const data = new Float64Array(src.length);
  const k = 255 / range;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v !== v) throw new InputError(`${what}: NaN in tensor input (index ${i})`, 'E_NAN');
    if (quantize) {
      const c = v < 0 ? 0 : v > range ? range : v;
      data[i] = roundHalfEven(range === 1 ? Math.fround(Math.fround(c) * 255) : c);
    } else data[i] = v * k;
  }
  return checkPixels({ data, height, width, channels }, what);
}

function fromImageArray(img: ImageArray, what: string): Pixels {
  const { width, height, channels, bitDepth } = img;
  const k = bitDepth === 16 ? 255 / 65535 : 1;
  const data = new Float64Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i]! * k;
  return checkPixels({ data, height, width, channels }, what);
}

function checkPixels(p: Pixels, what: string): Pixels {
  if (!(p.height > 0 && p.width > 0)) throw new InputError(`${what}: empty image (${p.height}×${p.width})`, 'E_EMPTY_IMAGE');
  if (p.channels < 1 || p.channels > 4) throw new InputError(`${what}: ${p.channels} channels (expected 1–4)`, 'E_CHANNELS');
  return p;
}

/**
 * Drops an alpha channel (gray+alpha → gray, RGBA → RGB): metrics compare colour only.
 */
export function dropAlpha(p: Pixels): Pixels {
  if (p.channels !== 2 && p.channels !== 4) return p;
  const c = p.channels - 1;
  const n = p.height * p.width;
  const data = new Float64Array(n * c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) data[i * c + k] = p.data[i * p.channels + k]!;
  return { ...p, data, channels: c };
}

/**
 * Synchronous conversion for in-memory inputs (tensor, ImageArray, ImageData). Alpha is dropped.
 * Tensors are read with `dataSync`, which WebGPU in Node (and browsers' WebGPU) refuse: prefer the
 * async {@link toPixels} there.
 */
export function toPixelsSync(x: tf.Tensor | ImageArray | ImageDataLike, opts: InputOptions = {}, what = 'image'): Pixels {
  if (x instanceof tf.Tensor) {
    const shape = tensorShape(x, what);
    return dropAlpha(fromTensorData(x.dataSync(), shape, opts, what));
  }
  if (isImageArray(x)) return dropAlpha(fromImageArray(x, what));
  if (isImageDataLike(x)) {
    const data = Float64Array.from(x.data);
    return dropAlpha(checkPixels({ data, height: x.height, width: x.width, channels: 4 }, what));
  }
  throw new InputError(`${what}: unsupported input (expected a tensor, ImageArray, ImageData, path, URL or encoded bytes)`);
}

/** Converts any {@link MetricInput} (paths, URLs and encoded bytes are decoded). Alpha is dropped. */
export async function toPixels(x: MetricInput, opts: InputOptions = {}, what = 'image'): Promise<Pixels> {
  if (typeof x === 'string' || x instanceof URL || x instanceof ArrayBuffer || (x instanceof Uint8Array && !isImageDataLike(x)))
    return toPixelsSync(await readImage(x as string | URL | ArrayBuffer | Uint8Array), opts, what);
  if (x instanceof tf.Tensor) {
    const shape = tensorShape(x, what);
    return dropAlpha(fromTensorData(await x.data(), shape, opts, what));
  }
  return toPixelsSync(x as tf.Tensor | ImageArray | ImageDataLike, opts, what);
}

/** Throws unless the two images have equal height, width and channels. */
export function assertSameShape(a: Pixels, b: Pixels, what: string): void {
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels)
    throw new InputError(
      `${what}: images differ in size (${a.height}×${a.width}×${a.channels} vs ${b.height}×${b.width}×${b.channels}); ` +
        'crop or resize them to the same size first',
      'E_SHAPE',
    );
}

/** Removes `border` pixels from every edge (BasicSR `crop_border`). */
export function cropBorder(p: Pixels, border: number): Pixels {
  if (!border) return p;
  if (!(Number.isInteger(border) && border > 0)) throw new InputError(`cropBorder must be a non-negative integer (got ${border})`);
  const h = p.height - 2 * border;
  const w = p.width - 2 * border;
  if (h <= 0 || w <= 0) throw new InputError(`cropBorder ${border} leaves nothing of a ${p.height}×${p.width} image`);
  return cropRect(p, border, border, h, w);
}

/** Crops an `h × w` window whose top-left corner is (top, left). */
export function cropRect(p: Pixels, top: number, left: number, h: number, w: number): Pixels {
  if (top === 0 && left === 0 && h === p.height && w === p.width) return p;
  const c = p.channels;
  const data = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) data.set(p.data.subarray(((y + top) * p.width + left) * c, ((y + top) * p.width + left + w) * c), y * w * c);
  return { data, height: h, width: w, channels: c };
}

/** Throws when a value is NaN (e.g. decoded from a float tensor) — metrics must not return NaN silently. */
export function assertFinite(p: Pixels, what: string): void {
  for (let i = 0; i < p.data.length; i++)
    // x !== x is the NaN test: Number.isNaN is ~100× slower inside jest's vm realm.
    if (p.data[i] !== p.data[i]) throw new InputError(`${what}: NaN in input (index ${i})`, 'E_NAN');
}
