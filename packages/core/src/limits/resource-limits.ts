/**
 * Resource limits applied to untrusted input before any large allocation: decoded pixel counts,
 * inflated (gzip/zip) byte counts. Each has a default, an environment variable (Node) and a per-call
 * option; the per-call option wins, then the variable, then the default.
 * @module
 */
import { InputError } from '../errors/index.js';

/**
 * Default maximum pixel count of a decoded image: 50 MP. Why 50 MP: the decoders hold the file's RGBA
 * bytes (200 MB at 8 bits) and the caller's float32 RGB tensor (600 MB) at the same time, i.e. ~0.8 GB,
 * which fits a browser tab and leaves most of the 4 GiB WASM heap for the network. A 50 MP input is also
 * far beyond what any model here can upscale in one run (×2 gives 200 MP of output); photographs from
 * today's phones (12–48 MP) still pass. jpeg-js uses 100 MP as its own default for the same purpose.
 */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Default ceiling on the bytes a gzip stream, or the compressed entries of a zip, may inflate to: 1 GiB.
 * The largest checkpoint of the models here is ~70 MB, so this is ~15× headroom, while a decompression
 * bomb is stopped before it can take a browser tab's memory (the inflated bytes and the tensors made
 * from them are held at once). Uncompressed (stored) zip entries, as `torch.save` writes them, are
 * already in memory and not counted.
 */
export const DEFAULT_MAX_INFLATE_BYTES = 2 ** 30;

/** Environment variable overriding {@link DEFAULT_MAX_PIXELS} (a positive integer, e.g. `SR_MAX_PIXELS=100000000`). */
export const MAX_PIXELS_ENV = 'SR_MAX_PIXELS';
/** Environment variable overriding {@link DEFAULT_MAX_INFLATE_BYTES}. */
export const MAX_INFLATE_BYTES_ENV = 'SR_MAX_INFLATE_BYTES';

function envNumber(name: string): number | undefined {
  const env = typeof process !== 'undefined' ? (process as { env?: Record<string, string | undefined> }).env : undefined;
  const raw = env?.[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v <= 0) throw new InputError(`environment variable ${name} must be a positive integer, got '${raw}'`, 'E_LIMIT_CONFIG');
  return v;
}

function pick(name: string, option: number | undefined, env: string, fallback: number): number {
  if (option !== undefined) {
    if (!(Number.isSafeInteger(option) && option > 0)) throw new InputError(`${name} must be a positive integer, got ${option}`, 'E_LIMIT_CONFIG');
    return option;
  }
  return envNumber(env) ?? fallback;
}

/** The pixel limit in force: `option`, else `$SR_MAX_PIXELS`, else {@link DEFAULT_MAX_PIXELS}. */
export function resolveMaxPixels(option?: number): number {
  return pick('maxPixels', option, MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS);
}

/** The inflation limit in force: `option`, else `$SR_MAX_INFLATE_BYTES`, else {@link DEFAULT_MAX_INFLATE_BYTES}. */
export function resolveMaxInflateBytes(option?: number): number {
  return pick('maxInflateBytes', option, MAX_INFLATE_BYTES_ENV, DEFAULT_MAX_INFLATE_BYTES);
}

/**
 * Throws an {@link InputError} (`E_IMAGE_TOO_LARGE`) when a `width × height` image from a file header
 * exceeds the pixel limit; call it before allocating any pixel buffer.
 */
export function assertPixelCount(width: number, height: number, what: string, maxPixels?: number): void {
  const limit = resolveMaxPixels(maxPixels);
  const n = width * height;
  if (n > limit)
    throw new InputError(
      `${what} is ${width}×${height} = ${(n / 1e6).toFixed(1)} MP, above the ${(limit / 1e6).toFixed(1)} MP limit ` +
        `(raise it with the maxPixels option or ${MAX_PIXELS_ENV})`,
      'E_IMAGE_TOO_LARGE',
    );
}
