/**
 * PNG codec through pngjs (pure JS): 1/2/4/8/16-bit gray, gray+alpha, RGB, RGBA, palette (with tRNS).
 * pngjs is loaded lazily so that importing @sr/core in a browser does not pull in Node's zlib.
 * @module
 */
import { InputError } from '../errors/index.js';
import { validateImageArray, type ImageArray } from './image-array.js';
import { checkPng } from './png-check.js';

interface PngjsDecoded {
  width: number;
  height: number;
  depth: number;
  color: boolean;
  alpha: boolean;
  data: Uint8Array | Uint16Array;
}
interface Pngjs {
  PNG: {
    sync: {
      read(buf: Uint8Array, opts?: { skipRescale?: boolean }): PngjsDecoded;
      write(png: { width: number; height: number; data: Uint8Array }, opts: Record<string, unknown>): Uint8Array;
    };
  };
}

let pngjs: Pngjs | undefined;
async function loadPngjs(): Promise<Pngjs> {
  if (!pngjs) {
    const mod = (await import('pngjs')) as unknown as Pngjs & { default?: Pngjs };
    pngjs = mod.PNG ? mod : mod.default!;
  }
  return pngjs;
}

/** True when the bytes start with the PNG signature. */
export const isPng = (b: Uint8Array): boolean =>
  b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a;

/**
 * Decodes a PNG, keeping 16-bit samples (`bitDepth: 16`, a Uint16Array) and the file's channel layout
 * (palette → RGB or RGBA). The file is validated first (see {@link checkPng}): more than `maxPixels`
 * (default 50 MP, `$SR_MAX_PIXELS`) is refused from the header before any pixel buffer is allocated, and a
 * truncated or corrupt file is always an {@link InputError}, never a partial image.
 */
export async function decodePng(bytes: Uint8Array, opts: { maxPixels?: number } = {}): Promise<ImageArray> {
  if (!isPng(bytes)) throw new InputError('not a PNG file (bad signature)', 'E_IMAGE_FORMAT');
  const depth = checkPng(bytes, opts.maxPixels).bitDepth;
  const { PNG } = await loadPngjs();
  let dec: PngjsDecoded;
  try {
    const buf = typeof Buffer !== 'undefined' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
    // skipRescale only for 16-bit: lower depths (1/2/4) are scaled to 8 bits by pngjs.
    dec = PNG.sync.read(buf, { skipRescale: depth === 16 });
  } catch (e) {
    throw new InputError(`cannot decode PNG: ${(e as Error).message}`, 'E_IMAGE_DECODE');
  }
  const { width, height } = dec;
  const channels = ((dec.color ? 3 : 1) + (dec.alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const bitDepth = dec.depth === 16 ? 16 : 8;
  const n = width * height;
  const rgba = dec.data; // pngjs always returns RGBA
  const data = bitDepth === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const s = i * 4;
    const d = i * channels;
    if (channels === 1) data[d] = rgba[s]!;
    else if (channels === 2) {
      data[d] = rgba[s]!;
      data[d + 1] = rgba[s + 3]!;
    } else {
      data[d] = rgba[s]!;
      data[d + 1] = rgba[s + 1]!;
      data[d + 2] = rgba[s + 2]!;
      if (channels === 4) data[d + 3] = rgba[s + 3]!;
    }
  }
  const img: ImageArray = { width, height, channels, bitDepth, data };
  validateImageArray(img, 'decoded PNG');
  return img;
}

const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** Encodes an {@link ImageArray} as PNG at its own bit depth and channel layout (lossless). */
export async function encodePng(img: ImageArray): Promise<Uint8Array> {
  validateImageArray(img);
  const { PNG } = await loadPngjs();
  const colorType = COLOR_TYPE[img.channels];
  const hasAlpha = img.channels === 2 || img.channels === 4;
  // pngjs reads 16-bit input through `new Uint16Array(buf.buffer)` (ignores byteOffset): hand it a fresh copy.
  const raw = img.bitDepth === 16 ? new Uint16Array(img.data) : new Uint8Array(img.data);
  const data = typeof Buffer !== 'undefined' ? Buffer.from(raw.buffer) : new Uint8Array(raw.buffer);
  const out = PNG.sync.write(
    { width: img.width, height: img.height, data },
    { colorType, inputColorType: colorType, bitDepth: img.bitDepth, inputHasAlpha: hasAlpha },
  );
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
