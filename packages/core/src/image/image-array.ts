/**
 * The decoded-image type shared by the codecs and tensor converters.
 * @module
 */
import { InputError } from '../errors/index.js';

/** A decoded raster image: interleaved HWC samples, 8 or 16 bits per sample. */
export interface ImageArray {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  /** `height·width·channels` samples, row-major, channels interleaved. */
  data: Uint8Array | Uint16Array;
}

/** Throws {@link InputError} unless `img` is a well-formed, non-empty {@link ImageArray}. */
export function validateImageArray(img: ImageArray, what = 'image'): void {
  const { width, height, channels, bitDepth, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height)) || width <= 0 || height <= 0)
    throw new InputError(`${what} is empty or has an invalid size (${width}×${height})`, 'E_EMPTY_IMAGE');
  if (![1, 2, 3, 4].includes(channels)) throw new InputError(`${what}: unsupported channel count ${channels} (expected 1, 2, 3 or 4)`, 'E_CHANNELS');
  if (bitDepth !== 8 && bitDepth !== 16) throw new InputError(`${what}: unsupported bit depth ${bitDepth as number} (expected 8 or 16)`);
  if (bitDepth === 8 && !(data instanceof Uint8Array)) throw new InputError(`${what}: 8-bit data must be a Uint8Array`);
  if (bitDepth === 16 && !(data instanceof Uint16Array)) throw new InputError(`${what}: 16-bit data must be a Uint16Array`);
  if (data.length !== width * height * channels)
    throw new InputError(`${what}: data has ${data.length} samples, expected ${width}×${height}×${channels} = ${width * height * channels}`);
}

/** Largest sample value for a bit depth (255 or 65535). */
export const maxValue = (bitDepth: 8 | 16): number => (bitDepth === 16 ? 65535 : 255);
