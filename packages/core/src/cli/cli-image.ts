/**
 * Image writing for the `@sr` CLIs without silent data loss: the output keeps the input's alpha
 * channel (resized with MATLAB bicubic, as {@link imresizeArray}) and bit depth (16-bit in, 16-bit PNG
 * out, unless the user asks for `--bit-depth 8`), the format follows the extension, and what a format
 * cannot hold (JPEG: alpha, 16 bits) is a warning line, not a surprise.
 * @module
 */
import { InputError } from '../errors/index.js';
import { encodeImage } from '../image/codec.js';
import { imresizeArray } from '../image/imresize-array.js';
import { maxValue, type ImageArray } from '../image/image-array.js';
import { roundHalfEven } from '../ops/round.js';
import { CliArgumentError } from './cli-options.js';
import { cliImageFormat } from './cli-output.js';
import { nodeFs } from '../platform/node-platform.js';

/** Commander parser of `--bit-depth <8|16>`. */
export function cliBitDepth(value: string): 8 | 16 {
  if (value === '8' || value === '16') return Number(value) as 8 | 16;
  throw new CliArgumentError('expected 8 or 16');
}

/** A rectangle of an image in its pixels (`localsr`'s region of interest). */
export interface CliRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * `out` with the alpha channel of `input` added (the `region` of it, when the output covers only a
 * region), resized to `out`'s size by MATLAB bicubic and quantised to `out`'s bit depth. Returns `out`
 * unchanged when `input` has no alpha or `out` already has one. Gray `out` becomes gray+alpha.
 */
export function cliAddAlpha(out: ImageArray, input: ImageArray, region?: CliRegion): ImageArray {
  const hasAlpha = (c: number) => c === 2 || c === 4;
  if (!hasAlpha(input.channels) || hasAlpha(out.channels)) return out;
  const r = region ?? { x: 0, y: 0, width: input.width, height: input.height };
  if (r.x < 0 || r.y < 0 || r.x + r.width > input.width || r.y + r.height > input.height)
    throw new InputError(`cliAddAlpha: region ${r.width}×${r.height}+${r.x}+${r.y} is outside the ${input.width}×${input.height} input`);
  const ci = input.channels;
  const scale = maxValue(out.bitDepth) / maxValue(input.bitDepth);
  const plane = new Float64Array(r.width * r.height);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) plane[y * r.width + x] = input.data[((r.y + y) * input.width + r.x + x) * ci + ci - 1]! * scale;
  const sized =
    r.width === out.width && r.height === out.height
      ? plane
      : imresizeArray({ data: plane, height: r.height, width: r.width, channels: 1 }, { height: out.height, width: out.width }).data;
  const co = out.channels;
  const n = out.width * out.height;
  const max = maxValue(out.bitDepth);
  const data = out.bitDepth === 16 ? new Uint16Array(n * (co + 1)) : new Uint8Array(n * (co + 1));
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < co; c++) data[i * (co + 1) + c] = out.data[i * co + c]!;
    const a = sized[i]!;
    data[i * (co + 1) + co] = roundHalfEven(a < 0 ? 0 : a > max ? max : a);
  }
  return { width: out.width, height: out.height, channels: (co + 1) as 2 | 4, bitDepth: out.bitDepth, data };
}

/** Something that gives its pixels as an {@link ImageArray} at a bit depth (every `@sr` result image). */
export interface CliResultLike {
  /** The pixels at `bitDepth` bits per sample. */
  toImageArray(bitDepth?: 8 | 16): Promise<ImageArray>;
}

/** Options of {@link cliResultToImage}. */
export interface CliResultImageOptions {
  /** `--bit-depth`: forces 8 or 16 bits; default: the input's. */
  bitDepth?: 8 | 16;
  /** The region of `input` the result covers (for its alpha), default the whole input. */
  region?: CliRegion;
}

/**
 * A model result as the image to write: at the input's bit depth (or `opts.bitDepth`), with the input's
 * alpha (see {@link cliAddAlpha}) when the model itself returns colour only.
 */
export async function cliResultToImage(result: CliResultLike, input: ImageArray, opts: CliResultImageOptions = {}): Promise<ImageArray> {
  const img = await result.toImageArray(opts.bitDepth ?? input.bitDepth);
  return cliAddAlpha(img, input, opts.region);
}

/**
 * Encodes `img` in the format the extension of `file` names (see `cliImageFormat`; `-` is PNG on stdout)
 * and writes it. JPEG cannot hold alpha or 16 bits: when `img` has either, `warn` gets one line saying
 * what is dropped. Node only.
 */
export async function cliWriteImage(file: string, img: ImageArray, opts: { warn?: (line: string) => void; quality?: number } = {}): Promise<void> {
  const format = cliImageFormat(file);
  if (format === 'jpeg') {
    const lost = [img.channels === 2 || img.channels === 4 ? 'its alpha channel' : '', img.bitDepth === 16 ? '8 of its 16 bits' : ''].filter(Boolean);
    if (lost.length) opts.warn?.(`warning: JPEG cannot hold ${lost.join(' or ')}: ${file} loses ${lost.join(' and ')} (write .png to keep them)`);
  }
  const bytes = await encodeImage(img, format, opts.quality);
  if (file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
    return;
  }
  const fs = nodeFs('writing files').promises;
  await fs.writeFile(file, bytes);
}
