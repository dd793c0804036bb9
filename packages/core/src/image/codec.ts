/**
 * Format-sniffing image decode/encode and file I/O. PNG and JPEG are decoded in pure JS (pngjs,
 * jpeg-js) so results are identical everywhere; `sharp`, when installed, is used only on request
 * (`useSharp`) or for formats the pure-JS path cannot read (WebP, TIFF, AVIF, GIF).
 * @module
 */
import { InputError } from '../errors/index.js';
import { isNode } from '../platform/env.js';
import { nodeFs } from '../platform/node-platform.js';
import { validateImageArray, type ImageArray } from './image-array.js';
import { decodeJpeg, encodeJpeg, isJpeg } from './jpeg.js';
import { decodePng, encodePng, isPng } from './png.js';
import { checkPng } from './png-check.js';
import { assertPixelCount } from '../limits/resource-limits.js';

/** Bytes, a Node path or an http(s)/file URL. */
export type ImageSource = string | URL | ArrayBuffer | Uint8Array | Blob;

/** Options of {@link decodeImage} / {@link readImage}. */
export interface DecodeOptions {
  /** Decode through `sharp` (if installed) even for PNG/JPEG. Default false: the pure-JS decoders. */
  useSharp?: boolean;
  /**
   * Largest accepted `width × height`, checked from the file header before any pixel buffer is allocated
   * (default: `$SR_MAX_PIXELS`, else {@link DEFAULT_MAX_PIXELS} = 50 MP). Larger images fail with an
   * {@link InputError} `E_IMAGE_TOO_LARGE`.
   */
  maxPixels?: number;
}

const toU8 = (b: ArrayBuffer | Uint8Array): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b));

async function loadSharp(): Promise<((input: Uint8Array) => any) | null> {
  try {
    const name = 'sharp'; // a variable keeps bundlers and tsc from requiring the optional dependency
    const mod = await import(name);
    return (mod.default ?? mod) as (input: Uint8Array) => any;
  } catch {
    return null;
  }
}

async function decodeWithSharp(bytes: Uint8Array, maxPixels?: number): Promise<ImageArray | null> {
  const sharp = await loadSharp();
  if (!sharp) return null;
  const meta = await sharp(bytes).metadata();
  if (meta.width && meta.height) assertPixelCount(meta.width, meta.height, 'image', maxPixels);
  const sixteen = meta.depth === 'ushort';
  const { data, info } = await sharp(bytes).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  const u8 = data as Uint8Array;
  const samples = sixteen ? new Uint16Array(u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength)) : new Uint8Array(u8);
  const img: ImageArray = { width: info.width, height: info.height, channels: info.channels, bitDepth: sixteen ? 16 : 8, data: samples };
  validateImageArray(img, 'image decoded by sharp');
  return img;
}

/**
 * Browser fallback (no Node Buffer/zlib for pngjs): the platform decoder through createImageBitmap and
 * an OffscreenCanvas. Gives 8-bit RGBA (the canvas cannot return 16-bit or gray); colour management
 * is disabled so values are the file's.
 */
async function decodeWithBrowser(bytes: Uint8Array): Promise<ImageArray> {
  const bmp = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
  if (!ctx) throw new InputError('no 2D canvas to decode the image', 'E_IMAGE_DECODE');
  ctx.drawImage(bmp, 0, 0);
  const id = ctx.getImageData(0, 0, bmp.width, bmp.height);
  bmp.close();
  return { width: id.width, height: id.height, channels: 4, bitDepth: 8, data: new Uint8Array(id.data.buffer) };
}

const useBrowserDecoder = () => !isNode() && typeof createImageBitmap === 'function' && typeof OffscreenCanvas !== 'undefined';

/**
 * Decodes PNG (1–16 bit, gray/RGB/RGBA/palette) or JPEG bytes into an {@link ImageArray}. Other formats
 * need `sharp`; without it they are rejected with an {@link InputError} naming the format.
 */
export async function decodeImage(bytes: ArrayBuffer | Uint8Array, opts: DecodeOptions = {}): Promise<ImageArray> {
  const b = toU8(bytes);
  if (b.length === 0) throw new InputError('cannot decode an empty byte array', 'E_EMPTY_IMAGE');
  if (opts.useSharp) {
    const img = await decodeWithSharp(b, opts.maxPixels);
    if (img) return img;
  }
  const browser = useBrowserDecoder() && typeof Buffer === 'undefined';
  if (isPng(b)) {
    if (!browser) return decodePng(b, opts);
    checkPng(b, opts.maxPixels); // the platform decoder would show a truncated file as a partial image
    return decodeWithBrowser(b);
  }
  if (isJpeg(b)) return decodeJpeg(b, opts);
  if (useBrowserDecoder()) return decodeWithBrowser(b);
  const img = await decodeWithSharp(b, opts.maxPixels).catch((e: unknown) => {
    if (e instanceof InputError) throw e;
    return null;
  });
  if (img) return img;
  throw new InputError(
    `unsupported image format (${sniffName(b)}): PNG and JPEG are decoded natively; install 'sharp' for WebP/TIFF/AVIF/GIF`,
    'E_IMAGE_FORMAT',
  );
}

function sniffName(b: Uint8Array): string {
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'WebP';
  if (ascii(0, 3) === 'GIF') return 'GIF';
  if ((b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d)) return 'TIFF?';
  if (ascii(4, 4) === 'ftyp') return 'AVIF/HEIF?';
  if (ascii(0, 2) === 'BM') return 'BMP';
  return `unknown signature ${Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ')}`;
}

/** Image file formats {@link encodeImage} can write. */
export type ImageFormat = 'png' | 'jpeg';

/** Encodes as PNG (lossless, keeps 16 bits and alpha) or JPEG (`quality`, default 90). */
export async function encodeImage(img: ImageArray, format: ImageFormat = 'png', quality = 90): Promise<Uint8Array> {
  if (format === 'png') return encodePng(img);
  if (format === 'jpeg') return encodeJpeg(img, quality);
  throw new InputError(`unsupported output format '${format as string}' (png or jpeg)`, 'E_IMAGE_FORMAT');
}

/** Reads bytes from a path (Node), a URL (fetch; file: URLs through fs in Node), or passes bytes/Blobs through. */
export async function readBytes(src: ImageSource): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (typeof Blob !== 'undefined' && src instanceof Blob) return new Uint8Array(await src.arrayBuffer());
  const s = src instanceof URL ? src.href : (src as string);
  if (/^(https?|data|blob):/i.test(s)) {
    const res = await fetch(s);
    if (!res.ok) throw new InputError(`cannot fetch ${s}: HTTP ${res.status}`, 'E_IO');
    return new Uint8Array(await res.arrayBuffer());
  }
  const fs = nodeFs(`reading the image file ${s}`).promises;
  const path = s.startsWith('file:') ? new URL(s) : s;
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new InputError(`cannot read image file ${s}: ${(e as Error).message}`, 'E_IO');
  }
}

/** Reads and decodes an image from a path, URL, Blob or bytes. */
export async function readImage(src: ImageSource, opts: DecodeOptions = {}): Promise<ImageArray> {
  return decodeImage(await readBytes(src), opts);
}

/** Writes an image to a Node path; the format follows the extension (.png, .jpg/.jpeg). */
export async function writeImage(path: string, img: ImageArray, opts: { quality?: number } = {}): Promise<void> {
  const ext = path.toLowerCase().split('.').pop();
  const format: ImageFormat | null = ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : null;
  if (!format) throw new InputError(`writeImage: cannot tell the format from '${path}' (use .png, .jpg or .jpeg)`, 'E_IMAGE_FORMAT');
  const bytes = await encodeImage(img, format, opts.quality);
  await nodeFs(`writeImage('${path}')`).promises.writeFile(path, bytes);
}
