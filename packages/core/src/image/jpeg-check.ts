/**
 * Structural check of a JPEG before jpeg-js decodes it (ITU T.81 §B.1): the marker segments are walked
 * from SOI, every segment length must lie inside the file, the frame header (SOFn) gives the size that
 * is checked against the pixel limit before any pixel buffer is allocated, and the file must reach EOI.
 * jpeg-js 0.4 rejects the truncations we tried by itself, but only after allocating the frame, and its
 * tolerant mode skips what it does not understand; the walk makes "truncated" one early, clear error
 * whatever the decoder does. JPEG has no checksum: a bit flip inside entropy-coded data can still
 * decode to wrong pixels (as in every JPEG decoder), but never to a partial image.
 * @module
 */
import { InputError } from '../errors/index.js';
import { assertPixelCount } from '../limits/resource-limits.js';

/** Frame header of a JPEG (SOFn). */
export interface JpegHeader {
  width: number;
  height: number;
  /** Components: 1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  /** SOF marker (0xc0 baseline, 0xc2 progressive, …). */
  sof: number;
}

const bad = (why: string) => new InputError(`corrupt JPEG: ${why}`, 'E_IMAGE_DECODE');
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd9);

/**
 * Validates a JPEG's marker structure (see the module comment) and returns its frame header. Throws
 * {@link InputError} `E_IMAGE_TOO_LARGE` above the pixel limit, `E_IMAGE_DECODE` for truncation or a
 * broken structure.
 */
export function checkJpeg(b: Uint8Array, maxPixels?: number): JpegHeader {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw bad('no SOI marker');
  let header: JpegHeader | undefined;
  let pos = 2;
  for (;;) {
    // Markers may be preceded by any number of 0xff fill bytes (§B.1.1.2).
    if (pos >= b.length) throw bad(`truncated: file ends at byte ${b.length} before the EOI marker`);
    if (b[pos] !== 0xff) throw bad(`expected a marker at byte ${pos}, found 0x${b[pos]!.toString(16)}`);
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) throw bad('truncated inside a marker');
    const m = b[pos++]!;
    if (m === 0xd9) break; // EOI
    if (m === 0xd8) throw bad(`second SOI marker at byte ${pos - 2}`);
    if (standalone(m)) continue;
    if (pos + 2 > b.length) throw bad(`truncated: segment 0x${m.toString(16)} has no length`);
    const len = (b[pos]! << 8) | b[pos + 1]!;
    if (len < 2 || pos + len > b.length) throw bad(`truncated: segment 0x${m.toString(16)} at byte ${pos - 2} declares ${len} bytes, ${b.length - pos} left`);
    if (isSof(m)) {
      if (header) throw bad('more than one frame header (SOF)');
      if (len < 8) throw bad('frame header too short');
      header = { height: (b[pos + 3]! << 8) | b[pos + 4]!, width: (b[pos + 5]! << 8) | b[pos + 6]!, components: b[pos + 7]!, sof: m };
      if (header.width === 0 || header.height === 0) throw bad(`invalid size ${header.width}×${header.height}`);
      assertPixelCount(header.width, header.height, 'JPEG image', maxPixels);
    }
    pos += len;
    if (m === 0xda) {
      if (!header) throw bad('scan (SOS) before the frame header (SOF)');
      // Entropy-coded data runs to the next marker that is neither a stuffed 0xff00 nor a restart marker.
      while (pos < b.length) {
        if (b[pos] === 0xff && pos + 1 < b.length) {
          const n = b[pos + 1]!;
          if (n !== 0x00 && n !== 0xff && !(n >= 0xd0 && n <= 0xd7)) break;
        }
        pos++;
      }
    }
  }
  if (!header) throw bad('no frame header (SOF) before EOI');
  return header;
}
