/**
 * Structural check of a PNG before pngjs decodes it. pngjs 7 does not verify that the IDAT stream
 * inflates to the full image: a zlib stream that ends early (a file cut inside IDAT and closed again, a
 * crashed encoder) leaves the tail of its `Buffer.allocUnsafe` output uninitialised, and that memory
 * was decoded as pixels. Here the chunk stream is walked (IHDR first, lengths inside the file, IEND
 * present), the pixel count is checked against the limit from IHDR before any pixel buffer exists,
 * and the concatenated IDAT data must inflate to exactly the size the header implies (PNG spec §11.2.2
 * IHDR, §12.3 filtering, §8.2 Adam7 interlace).
 * @module
 */
import { InputError } from '../errors/index.js';
import { inflateBounded } from '../limits/bounded-inflate.js';
import { assertPixelCount } from '../limits/resource-limits.js';

/** Image header of a PNG (IHDR). */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

/** Samples per pixel of each PNG colour type. */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Allowed bit depths per colour type (PNG spec table 11.1). */
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: [x0, y0, dx, dy]. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

const bad = (why: string) => new InputError(`corrupt PNG: ${why}`, 'E_IMAGE_DECODE');
const u32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Bytes of the filtered (pre-inflate) image data: one filter byte plus packed samples per row, per pass. */
export function pngRawSize(h: PngHeader): number {
  const bitsPerPixel = SAMPLES[h.colorType]! * h.bitDepth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!h.interlace) return rows(h.width, h.height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy));
  return total;
}

/** Reads and validates IHDR (the first chunk) without touching the rest of the file. */
export function readPngHeader(b: Uint8Array): PngHeader {
  if (b.length < 33) throw bad(`file is ${b.length} bytes, too short for a PNG header`);
  if (u32(b, 8) !== 13 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') throw bad('the first chunk is not a 13-byte IHDR');
  const h: PngHeader = { width: u32(b, 16), height: u32(b, 20), bitDepth: b[24]!, colorType: b[25]!, interlace: b[28]! };
  if (h.width === 0 || h.height === 0 || h.width > 2 ** 31 - 1 || h.height > 2 ** 31 - 1) throw bad(`invalid size ${h.width}×${h.height}`);
  if (!DEPTHS[h.colorType]?.includes(h.bitDepth)) throw bad(`invalid colour type ${h.colorType} with bit depth ${h.bitDepth}`);
  if (b[26] !== 0 || b[27] !== 0 || h.interlace > 1) throw bad('unknown compression, filter or interlace method');
  return h;
}

/**
 * Validates a whole PNG (see the module comment) and returns its header. Throws {@link InputError}
 * `E_IMAGE_TOO_LARGE` above the pixel limit, `E_IMAGE_DECODE` for any structural fault or truncation.
 */
export function checkPng(b: Uint8Array, maxPixels?: number): PngHeader {
  const h = readPngHeader(b);
  assertPixelCount(h.width, h.height, 'PNG image', maxPixels);
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let pos = 8;
  let ended = false;
  while (pos < b.length) {
    if (pos + 12 > b.length) throw bad(`truncated: chunk header at byte ${pos} is cut off`);
    const len = u32(b, pos);
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    if (len > b.length - pos - 12) throw bad(`truncated: chunk '${type}' at byte ${pos} declares ${len} bytes, ${b.length - pos - 12} left`);
    if (type === 'IDAT') {
      idat.push(b.subarray(pos + 8, pos + 8 + len));
      idatBytes += len;
    }
    pos += 12 + len;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw bad('truncated: no IEND chunk');
  if (!idat.length) throw bad('no IDAT chunk (no image data)');
  const z = new Uint8Array(idatBytes);
  let o = 0;
  for (const c of idat) {
    z.set(c, o);
    o += c.length;
  }
  inflateBounded(z, 'zlib', {
    maxBytes: pngRawSize(h),
    exactBytes: pngRawSize(h),
    error: (m) => bad(m),
    what: 'image data (IDAT)',
    countOnly: true,
  });
  return h;
}
