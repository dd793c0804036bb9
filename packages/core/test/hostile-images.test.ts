/**
 * Hostile and broken PNG/JPEG files: header bombs are refused from the header before any pixel buffer
 * exists, truncated or corrupt files always fail with an InputError — never a partial image, never
 * uninitialised memory in the pixels, never a raw RangeError.
 */
import fc from 'fast-check';
import {
  DEFAULT_MAX_PIXELS,
  InputError,
  SrError,
  checkPng,
  decodeImage,
  encodeImage,
  pngRawSize,
  type ImageArray,
} from '../src/index.js';
import { cat, forgeJpegSize, ihdr, noise, PNG_SIGNATURE, pngChunk, pngFromRaw, rawRgb } from './hostile-builders.js';
import { zlibSync } from 'fflate';

async function decodeError(bytes: Uint8Array, opts = {}): Promise<SrError> {
  const e = await decodeImage(bytes, opts).then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return e as SrError;
}

const rgb = (w: number, h: number): ImageArray => ({ width: w, height: h, channels: 3, bitDepth: 8, data: noise(w * h * 3, 7) });

describe('PNG header bombs and the pixel limit', () => {
  test('a 16000×16000 header on a tiny file is refused from IHDR (E_IMAGE_TOO_LARGE), allocating nothing', async () => {
    const bomb = pngFromRaw({ width: 16000, height: 16000 }, new Uint8Array(16));
    expect(bomb.length).toBeLessThan(200);
    const e = await decodeError(bomb);
    expect(e.code).toBe('E_IMAGE_TOO_LARGE');
    expect(e.message).toMatch(/16000×16000 = 256\.0 MP, above the 50\.0 MP limit/);
  });

  test('the limit is configurable per call (maxPixels) and by SR_MAX_PIXELS; the default is 50 MP', async () => {
    expect(DEFAULT_MAX_PIXELS).toBe(50_000_000);
    const png = await encodeImage(rgb(20, 10));
    expect((await decodeError(png, { maxPixels: 199 })).code).toBe('E_IMAGE_TOO_LARGE');
    expect((await decodeImage(png, { maxPixels: 200 })).width).toBe(20);
    process.env.SR_MAX_PIXELS = '100';
    try {
      expect((await decodeError(png)).message).toMatch(/SR_MAX_PIXELS/);
      process.env.SR_MAX_PIXELS = 'lots';
      expect((await decodeError(png)).code).toBe('E_LIMIT_CONFIG');
    } finally {
      delete process.env.SR_MAX_PIXELS;
    }
  });

  test('a 2000×2000 header over a 300-byte file fails as corrupt (IDAT too short), not by allocating 16 MB of garbage', async () => {
    const e = await decodeError(pngFromRaw({ width: 2000, height: 2000 }, new Uint8Array(500)));
    expect(e.code).toBe('E_IMAGE_DECODE');
    expect(e.message).toMatch(/inflates to 500 bytes, expected 12002000/);
  });
});

describe('truncated and corrupt PNGs never decode to a partial image', () => {
  const W = 24;
  const H = 16;
  const raw = rawRgb(W, H);
  const good = pngFromRaw({ width: W, height: H }, raw, { idatSize: 97 }); // several IDAT chunks

  test('the generated PNG decodes exactly', async () => {
    const img = await decodeImage(good);
    expect(img.width).toBe(W);
    for (let y = 0; y < H; y++) for (let x = 0; x < W * 3; x++) expect(img.data[(y * W * 3) + x]).toBe(raw[y * (W * 3 + 1) + 1 + x]);
  });

  test('a zlib stream cut short inside intact chunks + IEND (pngjs decoded uninitialised memory here) is an error', async () => {
    const z = zlibSync(raw);
    for (let n = 2; n < z.length; n += 37) {
      const e = await decodeError(pngFromRaw({ width: W, height: H }, raw, { zlib: z.subarray(0, n) }));
      expect(e.code).toBe('E_IMAGE_DECODE');
    }
  });

  test('too few rows, too many rows, no IDAT, no IEND, a chunk running past the end', async () => {
    const rowBytes = 1 + W * 3;
    await expect(decodeImage(pngFromRaw({ width: W, height: H }, raw.subarray(0, rowBytes * (H - 1))))).rejects.toThrow(/expected 1168/);
    await expect(decodeImage(pngFromRaw({ width: W, height: H }, cat(raw, raw.subarray(0, rowBytes))))).rejects.toThrow(/past its declared 1168 bytes/);
    await expect(decodeImage(cat(PNG_SIGNATURE, ihdr(W, H), pngChunk('IEND')))).rejects.toThrow(/no IDAT/);
    await expect(decodeImage(pngFromRaw({ width: W, height: H }, raw, { iend: false }))).rejects.toThrow(/no IEND/);
    await expect(decodeImage(good.subarray(0, good.length - 20))).rejects.toThrow(/truncated/);
  });

  test('every truncation of the file is an InputError', async () => {
    for (let n = 0; n < good.length; n++) {
      const e = await decodeImage(good.subarray(0, n)).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
    }
  });

  test('fuzz: random truncations and bit flips give the exact image or an InputError', async () => {
    const ref = await decodeImage(good);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (at, bit, truncate) => {
        const b = truncate ? good.subarray(0, at) : good.slice();
        if (!truncate) b[at] ^= 1 << bit;
        const out = await decodeImage(b).then((img) => img, (e: unknown) => e);
        if (out instanceof Error) expect(out).toBeInstanceOf(InputError);
        else expect(out).toEqual(ref); // CRCs catch every flip that matters; a flip pngjs ignores must not change pixels
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});

describe('PNG layouts the size check must accept', () => {
  test.each([
    ['1-bit gray 13×7', { width: 13, height: 7, bitDepth: 1, colorType: 0 }],
    ['4-bit palette 5×3', { width: 5, height: 3, bitDepth: 4, colorType: 3 }],
    ['16-bit RGBA 3×2', { width: 3, height: 2, bitDepth: 16, colorType: 6 }],
    ['Adam7-interlaced 8-bit RGB 11×9', { width: 11, height: 9, bitDepth: 8, colorType: 2, interlace: 1 }],
    ['Adam7-interlaced 2-bit gray 3×1', { width: 3, height: 1, bitDepth: 2, colorType: 0, interlace: 1 }],
  ])('%s', async (_name, head) => {
    const raw = new Uint8Array(pngRawSize({ interlace: 0, ...head })); // all rows filter 0, samples 0
    const plte = head.colorType === 3 ? [pngChunk('PLTE', Uint8Array.of(1, 2, 3, 4, 5, 6))] : [];
    const png = pngFromRaw(head, raw, { extra: plte });
    expect(checkPng(png).width).toBe(head.width);
    const img = await decodeImage(png);
    expect([img.width, img.height]).toEqual([head.width, head.height]);
    if (head.bitDepth === 16) expect(img.bitDepth).toBe(16);
  });

  test('16-bit PNGs decode to 16 bits (bitDepth 16, Uint16Array, values above 255 kept)', async () => {
    const img: ImageArray = { width: 2, height: 1, channels: 3, bitDepth: 16, data: Uint16Array.of(0, 1000, 65535, 257, 2, 40000) };
    const back = await decodeImage(await encodeImage(img));
    expect(back.bitDepth).toBe(16);
    expect(Array.from(back.data)).toEqual([0, 1000, 65535, 257, 2, 40000]);
  });
});

describe('JPEG', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = await encodeImage(rgb(32, 24), 'jpeg', 80);
  });

  test('a forged 60000×60000 frame header is refused before decoding (E_IMAGE_TOO_LARGE)', async () => {
    const e = await decodeError(forgeJpegSize(good, 60000, 60000));
    expect(e.code).toBe('E_IMAGE_TOO_LARGE');
    expect(e.message).toMatch(/JPEG image is 60000×60000/);
  });

  test('every truncation is an InputError naming the fault', async () => {
    for (let n = 0; n < good.length; n += 3) {
      const e = await decodeImage(good.subarray(0, n)).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
    }
  });

  test('fuzz: bit flips and truncations give a full-size image or an InputError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (at, bit, truncate) => {
        const b = truncate ? good.subarray(0, at) : good.slice();
        if (!truncate) b[at] ^= 1 << bit;
        const out: ImageArray | Error = await decodeImage(b).then((img) => img, (e: unknown) => e as Error);
        if (out instanceof Error) expect(out).toBeInstanceOf(InputError);
        else {
          // JPEG has no checksum: a flip in entropy-coded data may change pixels, never the layout.
          expect(out.data.length).toBe(out.width * out.height * out.channels);
          expect(out.width * out.height).toBeLessThanOrEqual(DEFAULT_MAX_PIXELS);
        }
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});
