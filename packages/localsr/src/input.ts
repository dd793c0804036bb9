/**
 * Normalises what `prepare` accepts to one RGB tensor `[1, H, W, 3]` in [0, 1].
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, decodeImage, imageToTensor, readImage, type ImageArray } from '@sr/core';

/** A tfjs tensor (`[H, W, C]` / `[1, H, W, C]`, float in [0, 1] or int32 0–255), an {@link ImageArray}, PNG/JPEG bytes or a path/URL. */
export type LocalSRInput = tf.Tensor | ImageArray | Uint8Array | ArrayBuffer | string | URL;

const isImageArray = (x: unknown): x is ImageArray => !!x && typeof x === 'object' && 'bitDepth' in x && 'data' in x && 'channels' in x;

/** `[1, H, W, C]` → RGB: gray replicated, alpha dropped (the model is RGB-only). */
function toRgb(t4: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = t4.shape;
  if (!(h > 0 && w > 0)) throw new InputError(`the image is empty (shape [${t4.shape}])`, 'E_EMPTY_IMAGE');
  if (c < 1 || c > 4) throw new InputError(`expected 1–4 channels, got ${c}`, 'E_CHANNELS');
  return tf.tidy(() => {
    const color = tf.slice(t4, [0, 0, 0, 0], [1, h, w, c === 2 || c === 4 ? c - 1 : c]);
    return (color.shape[3] === 1 ? tf.tile(color, [1, 1, 1, 3]) : color) as tf.Tensor4D;
  });
}

/** Converts any {@link LocalSRInput}; rejects NaN/∞ and float values outside [0, 1]. Caller disposes. */
export async function toContextTensor(image: LocalSRInput): Promise<tf.Tensor4D> {
  if (image == null) throw new InputError('no image given');
  let t4: tf.Tensor4D;
  if (image instanceof tf.Tensor) {
    if (image.isDisposed) throw new InputError('the input tensor has been disposed');
    if (image.rank !== 3 && !(image.rank === 4 && image.shape[0] === 1))
      throw new InputError(`expected an image tensor [H, W, C] or [1, H, W, C], got shape [${image.shape}]`);
    if (image.size === 0) throw new InputError(`the image is empty (shape [${image.shape}])`, 'E_EMPTY_IMAGE');
    t4 = tf.tidy(() => {
      const x = image.rank === 3 ? tf.expandDims(image, 0) : image;
      return (image.dtype === 'float32' ? tf.clone(x) : tf.div(tf.cast(x, 'float32'), 255)) as tf.Tensor4D;
    });
  } else if (isImageArray(image)) t4 = imageToTensor(image);
  else if (image instanceof Uint8Array || image instanceof ArrayBuffer) t4 = imageToTensor(await decodeImage(image));
  else if (typeof image === 'string' || image instanceof URL) t4 = imageToTensor(await readImage(image));
  else throw new InputError('unsupported image input: pass a tensor, an ImageArray, PNG/JPEG bytes or a path');
  try {
    const stats = tf.tidy(() => tf.stack([tf.min(t4), tf.max(t4), tf.cast(tf.all(tf.isFinite(t4)), 'float32')]));
    const [lo, hi, finite] = await stats.data();
    stats.dispose();
    if (!finite) throw new InputError('the image contains NaN or infinite values', 'E_NAN');
    if (lo < -1e-3 || hi > 1 + 1e-3) throw new InputError(`float image values must lie in [0, 1], got [${lo}, ${hi}] (divide 8-bit values by 255)`, 'E_RANGE');
    return toRgb(t4);
  } finally {
    t4.dispose();
  }
}
