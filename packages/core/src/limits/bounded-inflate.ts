/**
 * Streaming inflation with a running byte count, so a small compressed file that claims or produces
 * gigabytes fails after at most one slice of output instead of after allocating it all. fflate's
 * streaming classes inflate a whole pushed chunk at once, so the input is pushed in slices small enough
 * that one slice cannot produce much (DEFLATE's ratio is at most ~1032:1: 64 KiB in ≤ ~66 MB out). Smaller
 * slices cost speed: fflate restarts work per push (16 KiB slices were ~2× slower than one-shot inflate,
 * 64 KiB ones as fast).
 * @module
 */
import { Gunzip, Inflate, Unzlib } from 'fflate';
import { SrError } from '../errors/index.js';

/** Compressed stream formats: gzip (RFC 1952), zlib (RFC 1950, PNG's IDAT), raw DEFLATE (zip entries). */
export type InflateFormat = 'gzip' | 'zlib' | 'deflate';

/** Options of {@link inflateBounded}. */
export interface InflateBoundedOptions {
  /** Output larger than this many bytes is an error (checked while inflating). */
  maxBytes: number;
  /** The output must be exactly this long (e.g. a zip entry's declared size, a PNG's raw image size). */
  exactBytes?: number;
  /** Called once with the first ≥ `sniffBytes` bytes of output (or all of it, if shorter); may throw to stop early. */
  sniff?: (head: Uint8Array) => void;
  /** How many output bytes `sniff` wants (default 64). */
  sniffBytes?: number;
  /** Makes the error thrown for a limit, a size mismatch or a corrupt/truncated stream. */
  error: (message: string, code: string) => SrError;
  /** Names the stream in messages, e.g. `'gzip stream'`. */
  what: string;
  /** Only count and validate: keep no output and return an empty array (a check before another decoder runs). */
  countOnly?: boolean;
}

/** Input slice pushed at a time (see the module comment). */
const SLICE = 64 * 1024;

/**
 * Inflates `input`, never holding more than `maxBytes` of output. Throws (through `opts.error`)
 * `E_INFLATE_LIMIT` when the output passes `maxBytes`, `E_INFLATE_SIZE` when it differs from
 * `exactBytes`, `E_INFLATE` when the stream is corrupt or ends early.
 */
export function inflateBounded(input: Uint8Array, format: InflateFormat, opts: InflateBoundedOptions): Uint8Array {
  const limit = opts.exactBytes !== undefined ? Math.min(opts.exactBytes, opts.maxBytes) : opts.maxBytes;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  let sniffed = !opts.sniff;
  const sniffBytes = opts.sniffBytes ?? 64;
  const onData = (d: Uint8Array, final: boolean): void => {
    total += d.length;
    if (total > limit) {
      if (opts.exactBytes !== undefined && opts.exactBytes <= opts.maxBytes)
        throw opts.error(`${opts.what} inflates past its declared ${opts.exactBytes} bytes`, 'E_INFLATE_SIZE');
      throw opts.error(`${opts.what} inflates to more than ${opts.maxBytes} bytes (limit); refusing a possible decompression bomb`, 'E_INFLATE_LIMIT');
    }
    if (d.length && (!opts.countOnly || !sniffed)) chunks.push(d);
    if (!sniffed && (total >= sniffBytes || final)) {
      sniffed = true;
      opts.sniff!(concat(chunks, total));
      if (opts.countOnly) chunks.length = 0;
    }
    if (final) ended = true;
  };
  const stream = format === 'gzip' ? new Gunzip(onData) : format === 'zlib' ? new Unzlib(onData) : new Inflate(onData);
  try {
    if (input.length === 0) stream.push(input, true);
    for (let o = 0; o < input.length; o += SLICE) stream.push(input.subarray(o, o + SLICE), o + SLICE >= input.length);
  } catch (e) {
    if (e instanceof SrError) throw e;
    throw opts.error(`${opts.what} is corrupt or truncated: ${(e as Error).message}`, 'E_INFLATE');
  }
  if (!ended) throw opts.error(`${opts.what} is truncated (the compressed stream does not end)`, 'E_INFLATE');
  if (opts.exactBytes !== undefined && total !== opts.exactBytes)
    throw opts.error(`${opts.what} inflates to ${total} bytes, expected ${opts.exactBytes} (truncated or corrupt)`, 'E_INFLATE_SIZE');
  return opts.countOnly ? new Uint8Array(0) : concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c.subarray(0, Math.min(c.length, total - o)), o);
    o += c.length;
    if (o >= total) break;
  }
  return out;
}

/**
 * The uncompressed size a single-member gzip stream declares in its trailer (ISIZE, modulo 2^32), or
 * undefined when the input is too short to have one.
 */
export function gzipDeclaredSize(b: Uint8Array): number | undefined {
  if (b.length < 18) return undefined;
  const n = b.length;
  return (b[n - 4]! | (b[n - 3]! << 8) | (b[n - 2]! << 16) | (b[n - 1]! << 24)) >>> 0;
}
