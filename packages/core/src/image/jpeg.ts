/**
 * JPEG codec through jpeg-js (pure JS, baseline + progressive decode, baseline encode).
 * @module
 */
import { InputError } from '../errors/index.js';
import { resolveMaxPixels } from '../limits/resource-limits.js';
import { validateImageArray, type ImageArray } from './image-array.js';
import { checkJpeg } from './jpeg-check.js';

interface JpegJs {
  decode(
    b: Uint8Array,
    o: { useTArray: true; formatAsRGBA: boolean; maxResolutionInMP?: number; maxMemoryUsageInMB?: number },
  ): { width: number; height: number; data: Uint8Array };
  encode(img: { width: number; height: number; data: Uint8Array }, quality?: number): { data: Uint8Array };
}
let jpegjs: JpegJs | undefined;
async function loadJpegJs(): Promise<JpegJs> {
  if (!jpegjs) {
    const mod = (await import('jpeg-js')) as unknown as JpegJs & { default?: JpegJs };
    jpegjs = typeof mod.decode === 'function' ? mod : mod.default!;
  }
  return jpegjs;
}

/** True when the bytes start with the JPEG SOI marker. */
export const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/**
 * Decodes a JPEG to 8-bit RGB (grayscale JPEGs come back as 3 equal channels, as jpeg-js gives them).
 * The marker structure is validated first (see {@link checkJpeg}): more than `maxPixels` (default 50 MP,
 * `$SR_MAX_PIXELS`) is refused from the frame header before decoding, and a truncated file is an
 * {@link InputError}, never a partial image.
 */
export async function decodeJpeg(bytes: Uint8Array, opts: { maxPixels?: number } = {}): Promise<ImageArray> {
  if (!isJpeg(bytes)) throw new InputError('not a JPEG file (bad SOI marker)', 'E_IMAGE_FORMAT');
  checkJpeg(bytes, opts.maxPixels);
  const { decode } = await loadJpegJs();
  const maxPixels = resolveMaxPixels(opts.maxPixels);
  let dec: { width: number; height: number; data: Uint8Array };
  try {
    // jpeg-js's own limits as a second line (its memory estimate counts component planes + output).
    dec = decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 16) / 2 ** 20)),
    });
  } catch (e) {
    throw new InputError(`cannot decode JPEG: ${(e as Error).message}`, 'E_IMAGE_DECODE');
  }
  const img: ImageArray = { width: dec.width, height: dec.height, channels: 3, bitDepth: 8, data: new Uint8Array(dec.data) };
  validateImageArray(img, 'decoded JPEG');
  return img;
}

/**
 * Encodes as baseline JPEG (quality 1–100, default 90). JPEG has no alpha and 8 bits: alpha is dropped,
 * gray is written as RGB, 16-bit samples are reduced with round(v/257).
 */
export async function encodeJpeg(img: ImageArray, quality = 90): Promise<Uint8Array> {
  validateImageArray(img);
  if (!(quality >= 1 && quality <= 100)) throw new InputError(`encodeJpeg: quality must be in 1..100 (got ${quality})`);
  const { encode } = await loadJpegJs();
  const n = img.width * img.height;
  const rgba = new Uint8Array(n * 4);
  const c = img.channels;
  const to8 = img.bitDepth === 16 ? (v: number) => Math.round(v / 257) : (v: number) => v;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    const g = to8(img.data[s]!);
    rgba[i * 4] = g;
    rgba[i * 4 + 1] = c >= 3 ? to8(img.data[s + 1]!) : g;
    rgba[i * 4 + 2] = c >= 3 ? to8(img.data[s + 2]!) : g;
    rgba[i * 4 + 3] = 255;
  }
  const out = encode({ width: img.width, height: img.height, data: rgba }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
