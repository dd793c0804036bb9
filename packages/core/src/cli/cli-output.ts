/**
 * Output checks the `@sr` CLIs run BEFORE any computation: the output's folder exists and is writable,
 * the file is not one of the inputs (unless `--force`), its extension names a format we write, `-`
 * (stdout) is not asked to hold several images, and the output size is within bounds. A run that
 * cannot write its result must fail in a second, not after minutes of work with a raw `ENOENT`.
 * Node only (`fs`/`path` come through the Node platform inside the functions; this module is part of the browser-safe index).
 * @module
 */
import { CliUsageError } from './cli-options.js';
import type { ImageFormat } from '../image/codec.js';
import { nodeFs, nodePath } from '../platform/node-platform.js';

/**
 * Largest output image the CLIs write, in pixels: 8192² ≈ 67 MP (a float32 RGB tensor of it is 0.8 GB,
 * a fifth of the 4 GiB WASM heap, which the model's intermediates must share). Bigger outputs are
 * refused up front with their size in the message; the library API has its own memory plan.
 */
export const CLI_MAX_OUTPUT_PIXELS = 8192 * 8192;

/** Largest output side the CLIs write (PNG allows 2³¹−1; browsers and viewers give up far earlier). */
export const CLI_MAX_OUTPUT_SIDE = 32768;

/** Throws a {@link CliUsageError} naming the size when a `width`×`height` output is over the CLI bounds. */
export function cliCheckOutputSize(width: number, height: number, what = 'the output'): void {
  const mp = (n: number) => `${(n / 1e6).toFixed(1)} MP`;
  const px = width * height;
  if (!(width > 0 && height > 0) || width > CLI_MAX_OUTPUT_SIDE || height > CLI_MAX_OUTPUT_SIDE || px > CLI_MAX_OUTPUT_PIXELS)
    throw new CliUsageError(
      `${what} would be ${width}×${height} (${mp(px)}); the limit is ${CLI_MAX_OUTPUT_SIDE} px a side and ${mp(CLI_MAX_OUTPUT_PIXELS)} (8192²): use a smaller scale or crop the input`,
    );
}

/** The image formats the CLIs write, by extension. */
export const CLI_IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** The format an output file name asks for: `.png` (and `-`, stdout) → png, `.jpg`/`.jpeg` → jpeg; else a usage error. */
export function cliImageFormat(file: string): ImageFormat {
  if (file === '-') return 'png';
  const m = /\.([^./\\]+)$/.exec(file);
  const ext = m ? m[1]!.toLowerCase() : '';
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  throw new CliUsageError(`cannot write '${file}': ${ext ? `'.${ext}' is not an image format we write` : 'no extension'}; use ${CLI_IMAGE_EXTENSIONS.join(', ')}`);
}

/** Options of {@link cliCheckOutputFile}. */
export interface CliOutputCheckOptions {
  /** Input files of the run: writing over one is refused unless `force`. `-` and non-paths are ignored. */
  inputs?: readonly (string | undefined)[];
  /** `--force`: allow overwriting an input. */
  force?: boolean;
  /** The output is an image: its extension must be one of {@link CLI_IMAGE_EXTENSIONS}. */
  image?: boolean;
}

async function realOrResolved(file: string): Promise<string> {
  const fs = nodeFs('writing files').promises;
  const path = nodePath('resolving paths');
  const abs = path.resolve(file);
  try {
    return await fs.realpath(abs);
  } catch {
    // Not there yet: resolve its folder (symlinks included) and keep the name.
    try {
      return path.join(await fs.realpath(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Checks that `file` can be written (before the work starts): its folder exists, is a folder and is
 * writable; `file` is not a folder; it is not one of `inputs` (unless `force`); for images, its
 * extension names a format. `-` (stdout) always passes. Throws {@link CliUsageError}.
 */
export async function cliCheckOutputFile(file: string, opts: CliOutputCheckOptions = {}): Promise<void> {
  if (file === '-') return;
  if (file.trim() === '') throw new CliUsageError('the output file name is empty');
  if (opts.image) cliImageFormat(file);
  const fs = nodeFs('writing files').promises;
  const path = nodePath('resolving paths');
  const dir = path.dirname(path.resolve(file));
  const st = await fs.stat(dir).catch(() => null);
  if (!st) throw new CliUsageError(`cannot write ${file}: the folder ${dir} does not exist`);
  if (!st.isDirectory()) throw new CliUsageError(`cannot write ${file}: ${dir} is not a folder`);
  await fs.access(dir, nodeFs('checking folders').constants.W_OK).catch(() => {
    throw new CliUsageError(`cannot write ${file}: the folder ${dir} is not writable`);
  });
  const self = await fs.stat(file).catch(() => null);
  if (self?.isDirectory()) throw new CliUsageError(`cannot write ${file}: it is a folder (give a file name)`);
  if (self && !opts.force) {
    const target = await realOrResolved(file);
    for (const input of opts.inputs ?? []) {
      if (!input || input === '-' || /^[a-z]+:\/\//i.test(input)) continue;
      if ((await realOrResolved(input)) === target)
        throw new CliUsageError(`refusing to overwrite the input ${input} with the output (pass --force to allow it)`);
    }
  }
}

/**
 * Makes sure an output FOLDER can be used before the work starts: creates it (and its parents) when
 * missing, refuses a path that is a file. `-` is refused (a folder output cannot be stdout).
 */
export async function cliPrepareOutputDir(dir: string): Promise<void> {
  if (dir === '-') throw new CliUsageError("'-' (stdout) is not an output folder");
  if (dir.trim() === '') throw new CliUsageError('the output folder name is empty');
  const fs = nodeFs('writing files').promises;
  const st = await fs.stat(dir).catch(() => null);
  if (st && !st.isDirectory()) throw new CliUsageError(`cannot write into ${dir}: it is a file, not a folder`);
  if (!st)
    await fs.mkdir(dir, { recursive: true }).catch((e: Error) => {
      throw new CliUsageError(`cannot create the output folder ${dir}: ${e.message}`);
    });
}

/** `-` (stdout) holds one image: with `count` > 1 it is a usage error naming the option. */
export function cliCheckStdoutCount(output: string, count: number, countOption = '--count'): void {
  if (output === '-' && count > 1)
    throw new CliUsageError(`'-' (stdout) takes one image, but ${countOption} is ${count}: give a file or folder name instead`);
}
