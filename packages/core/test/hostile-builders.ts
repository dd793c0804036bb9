/**
 * Builders of hostile files for the reader tests: PNGs chunk by chunk (valid CRCs, so only the fault
 * under test is wrong), JPEGs with forged frame headers, gzip/zip bombs. Everything is generated;
 * nothing binary is committed.
 */
import { zlibSync, zipSync, gzipSync } from 'fflate';

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 of PNG chunks (ISO 3309). */
export function crc32(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 255]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const be32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One PNG chunk with a correct CRC. */
export function pngChunk(type: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const t = new TextEncoder().encode(type);
  return cat(be32(data.length), t, data, be32(crc32(cat(t, data))));
}

export const PNG_SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

export function ihdr(width: number, height: number, bitDepth = 8, colorType = 2, interlace = 0): Uint8Array {
  return pngChunk('IHDR', cat(be32(width), be32(height), Uint8Array.of(bitDepth, colorType, 0, 0, interlace)));
}

/** A PNG from filtered raw bytes (filter byte + packed samples per row), its zlib stream cut into `idatSize` chunks. */
export function pngFromRaw(
  head: { width: number; height: number; bitDepth?: number; colorType?: number; interlace?: number },
  raw: Uint8Array,
  opts: { idatSize?: number; zlib?: Uint8Array; iend?: boolean; extra?: Uint8Array[] } = {},
): Uint8Array {
  const z = opts.zlib ?? zlibSync(raw);
  const size = opts.idatSize ?? 1 << 13;
  const idats: Uint8Array[] = [];
  for (let o = 0; o < z.length; o += size) idats.push(pngChunk('IDAT', z.subarray(o, o + size)));
  return cat(
    PNG_SIGNATURE,
    ihdr(head.width, head.height, head.bitDepth ?? 8, head.colorType ?? 2, head.interlace ?? 0),
    ...(opts.extra ?? []),
    ...idats,
    ...(opts.iend === false ? [] : [pngChunk('IEND')]),
  );
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

/** Raw (filter type 0) rows of an 8-bit RGB image with noise samples. */
export function rawRgb(width: number, height: number, seed = 1): Uint8Array {
  const row = 1 + width * 3;
  const raw = noise(row * height, seed);
  for (let y = 0; y < height; y++) raw[y * row] = 0;
  return raw;
}

/** Replaces a JPEG's SOF0 size fields (height, width) — a header bomb with a valid rest of file. */
export function forgeJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const b = jpeg.slice();
  for (let i = 2; i + 9 < b.length; i++)
    if (b[i] === 0xff && b[i + 1] === 0xc0) {
      b[i + 5] = height >> 8;
      b[i + 6] = height & 255;
      b[i + 7] = width >> 8;
      b[i + 8] = width & 255;
      return b;
    }
  throw new Error('no SOF0 in the JPEG');
}

/** A multi-member gzip of `members` copies of gzip(`memberBytes` zeros): tiny, inflates to members × memberBytes. */
export function gzipBomb(members: number, memberBytes = 1 << 20): Uint8Array {
  const one = gzipSync(new Uint8Array(memberBytes), { level: 9 });
  const out = new Uint8Array(one.length * members);
  for (let i = 0; i < members; i++) out.set(one, i * one.length);
  return out;
}

/** Sets the uncompressed-size fields of every entry called `name` in a zip (local and central headers). */
export function forgeZipSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const b = zip.slice();
  const dv = new DataView(b.buffer);
  const enc = new TextEncoder().encode(name);
  const nameAt = (o: number) => enc.every((c, i) => b[o + i] === c);
  for (let o = 0; o + 46 < b.length; o++) {
    const sig = dv.getUint32(o, true);
    if (sig === 0x04034b50 && dv.getUint16(o + 26, true) === enc.length && nameAt(o + 30)) dv.setUint32(o + 22, size, true);
    if (sig === 0x02014b50 && dv.getUint16(o + 28, true) === enc.length && nameAt(o + 46)) dv.setUint32(o + 24, size, true);
  }
  return b;
}

export { zipSync };
