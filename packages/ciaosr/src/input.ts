import * as tf from '@tensorflow/tfjs-core';
import { InputError, decodeImage, imageDataToTensor, imageToTensor, isImageDataLike, readImage, type ImageArray, type ImageDataLike } from '@sr/core';

/**
 * What `upscale` accepts: a tfjs tensor (`[h, w, C]` or `[1, h, w, C]`, C = 1–4; float in [0, 1] or
 * int32 in [0, 255]), a decoded {@link ImageArray}, `ImageData`, PNG/JPEG bytes, or a file path / URL.
 */
export type UpscaleInput = tf.Tensor | ImageArray | ImageDataLike | Uint8Array | ArrayBuffer | string | URL;

/** An input split into RGB `[1, h, w, 3]` in [0, 1] and optional alpha `[1, h, w, 1]` (caller disposes). */
export interface PreparedInput {
  rgb: tf.Tensor4D;
  alpha: tf.Tensor4D | null;
}

const isImageArray = (x: unknown): x is ImageArray =>
  !!x && typeof x === 'object' && 'bitDepth' in x && 'channels' in x && 'data' in x && 'width' in x && 'height' in x;

/** Validates a `[1, h, w, C]` tensor and splits colour/alpha; gray is replicated to RGB. */
function splitChannels(t4: tf.Tensor4D): PreparedInput {
  const [, h, w, c] = t4.shape;
  if (!(h > 0 && w > 0)) throw new InputError(`the image is empty (shape [${t4.shape}])`, 'E_EMPTY_IMAGE');
  if (c < 1 || c > 4) throw new InputError(`expected 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels, got ${c}`, 'E_CHANNELS');
  const colorC = c === 2 || c === 4 ? c - 1 : c;
  const rgb = tf.tidy(() => {
    const color = tf.slice(t4, [0, 0, 0, 0], [1, h, w, colorC]);
    return (colorC === 1 ? tf.tile(color, [1, 1, 1, 3]) : color) as tf.Tensor4D;
  });
  const alpha = colorC === c ? null : (tf.slice(t4, [0, 0, 0, colorC], [1, h, w, 1]) as tf.Tensor4D);
  return { rgb, alpha };
}

/** Converts a user tensor to float32 `[1, h, w, C]` in [0, 1], rejecting NaN/∞ and out-of-range values. */
async function fromTensor(t: tf.Tensor): Promise<PreparedInput> {
  if (t.isDisposed) throw new InputError('the input tensor has been disposed');
  if (t.rank !== 3 && !(t.rank === 4 && t.shape[0] === 1))
    throw new InputError(`expected an image tensor [h, w, C] or [1, h, w, C], got shape [${t.shape}]`);
  if (t.size === 0) throw new InputError(`the image is empty (shape [${t.shape}])`, 'E_EMPTY_IMAGE');
  const t4 = tf.tidy(() => {
    const x = t.rank === 3 ? tf.expandDims(t, 0) : t;
    return (t.dtype === 'float32' ? tf.clone(x) : tf.div(tf.cast(x, 'float32'), 255)) as tf.Tensor4D;
  });
  try {
    // One async read (WebGPU in Node cannot read synchronously): [min, max, all finite].
    const stats = tf.tidy(() => tf.stack([tf.min(t4), tf.max(t4), tf.cast(tf.all(tf.isFinite(t4)), 'float32')]));
    const [minV, maxV, finite] = await stats.data();
    stats.dispose();
    const bad = !finite;
    if (bad) throw new InputError('the image contains NaN or infinite values', 'E_NAN');
    if (minV < -1e-3 || maxV > 1 + 1e-3)
      throw new InputError(`float image values must lie in [0, 1], got [${minV}, ${maxV}] (divide 8-bit values by 255)`, 'E_RANGE');
    return splitChannels(t4);
  } finally {
    t4.dispose();
  }
}

/** Normalises any {@link UpscaleInput} to RGB + alpha tensors. */
export async function prepareInput(image: UpscaleInput): Promise<PreparedInput> {
  if (image == null) throw new InputError('no image given');
  if (image instanceof tf.Tensor) return await fromTensor(image);
  let t4: tf.Tensor4D;
  if (typeof image === 'string' || image instanceof URL) t4 = imageToTensor(await readImage(image));
  else if (image instanceof Uint8Array || image instanceof ArrayBuffer) {
    const bytes = image instanceof ArrayBuffer ? new Uint8Array(image) : image;
    if (bytes.length === 0) throw new InputError('the image bytes are empty', 'E_EMPTY_IMAGE');
    t4 = imageToTensor(await decodeImage(bytes));
  } else if (isImageArray(image)) t4 = imageToTensor(image);
  else if (isImageDataLike(image)) t4 = imageDataToTensor(image, { alpha: 'keep' });
  else throw new InputError('unsupported image input: pass a tensor, ImageData, an ImageArray, PNG/JPEG bytes or a path');
  try {
    return splitChannels(t4);
  } finally {
    t4.dispose();
  }
}
