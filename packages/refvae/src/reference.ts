import type * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@sr/core';
import { imageToUint8, uint8ToTensor, type RefVAEImage } from './image-input.js';
import { pilResize, type Uint8Image } from './pil-resize.js';
import type { SampleRng } from './rng.js';

/** Side of the square reference image (`Resize((256, 256))` in eval_8x.py / eval_4x.py). */
export const REFERENCE_SIZE = 256;

/**
 * Where the latent z comes from (paper §3.2, official eval/test scripts):
 * - an image: any external reference, resized to 256² with PIL bilinear (torchvision `Resize`);
 * - `'noise'`: a fresh 256² uniform-noise image `uint8(rand·128)` per sample (eval_8x.py's default
 *   "random" mode — uniform in [0,128)/255, not Gaussian);
 * - `'self'`: the LR image itself, resized to 256² with PIL's default BICUBIC (`LR.resize((256,256))`);
 * - `'prior'`: no reference; z ~ N(0, I) directly (test.py's `z_q` path, encoder skipped).
 */
export type ReferenceSpec = RefVAEImage | 'noise' | 'self' | 'prior';

/** A 256² uniform-noise reference as eval_8x.py draws it: `np.uint8(np.random.rand(256,256,3)·128)`. */
export function noiseReference(rng: SampleRng, size = REFERENCE_SIZE): Uint8Image {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.uniform() * 128);
  return { width: size, height: size, channels: 3, data };
}

/** An external reference → the official model input: PIL bilinear to `size`², then `/255`. */
export function resizeReference(img: Uint8Image, size = REFERENCE_SIZE, filter: 'bilinear' | 'bicubic' = 'bilinear'): Uint8Image {
  if (img.channels !== 3) throw new InputError(`reference must be RGB, got ${img.channels} channels`, 'E_CHANNELS');
  return pilResize(img, size, size, filter);
}

/**
 * Resolves an image-like reference (`'self'` uses the LR) into the `[1, size, size, 3]` tensor the
 * VGG encoder sees. `'noise'`/`'prior'` are handled per sample by the caller.
 */
export async function referenceTensor(spec: RefVAEImage | 'self', lr: RefVAEImage, size = REFERENCE_SIZE): Promise<tf.Tensor4D> {
  const u8 = spec === 'self' ? resizeReference(await imageToUint8(lr, 'LR image'), size, 'bicubic') : resizeReference(await imageToUint8(spec), size, 'bilinear');
  return uint8ToTensor(u8);
}
