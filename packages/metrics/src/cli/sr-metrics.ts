/**
 * `sr-metrics`: PSNR / SSIM / LPIPS of a folder of SR results against a folder of GT images (paired by
 * file name), and the NTIRE 2021 diversity score and LR-PSNR of per-image sample folders.
 *
 * ```
 * sr-metrics --gt gt/ --sr sr/ [--scale 4] [--crop 4] [--y]
 *            [--lpips alex --lpips-weights alexnet-features.pth --lpips-lin alex.pth]
 *            [--samples samples/] [--json out.json | --csv out.csv] [--backend auto]
 *            [--allow-unpaired] [--keep-going]
 * ```
 *
 * Sets must match: a GT image without an SR file (or samples folder), an SR file without a GT image, or
 * a sample whose size is not the GT's is an error naming the files, unless `--allow-unpaired` (then a
 * warning, and the unpaired files are skipped). An image that fails (unreadable, wrong size) stops the
 * run with its file name, exit 1; `--keep-going` reports it, goes on with the others and still exits 1.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { InputError, cliCheckOutputFile, cliProgress, cliChoice, cliConfigure, cliIntegerIn, cliRun, initBackend, readImage, SrError, type BackendName, cliBackend } from '@sr/core';
import { toPixels } from '../input.js';
import { psnrPixels } from '../psnr.js';
import { ssimPixels } from '../ssim.js';
import { createLpips, type Lpips, type LpipsNet } from '../lpips/lpips.js';
import { ntireScores } from '../ntire.js';
import { pairFiles, type Pair } from './pairing.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** Progress: true a bar, false none, undefined (default) a bar on a TTY and one line per image otherwise. */
  progress?: boolean;
}

const consoleIO: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) };

interface Options {
  gt: string;
  sr?: string;
  samples?: string;
  scale?: number;
  crop: number;
  y?: boolean;
  lpips?: LpipsNet;
  lpipsWeights?: string;
  lpipsLin?: string;
  json?: string;
  csv?: string;
  backend: BackendName;
  allowUnpaired?: boolean;
  keepGoing?: boolean;
  quiet?: boolean;
}

/** One row of the report. */
export interface ImageRow {
  name: string;
  psnr?: number;
  ssim?: number;
  lpips?: number;
  /** NTIRE 2021 (with --samples). */
  diversity?: number;
  lpipsMean?: number;
  lrPsnrMean?: number;
  lrPsnrWorst?: number;
}

/** Largest `--scale` (LR-PSNR downscaling factor). */
const MAX_SCALE = 64;

/**
 * Smallest LR side LR-PSNR is computed on: the bicubic kernel has 4 taps, so a GT smaller than
 * 4·scale would be compared through an LR image smaller than the kernel (or than a pixel).
 */
const MIN_LR_SIDE = 4;

/** An error about one file, named in the message (`<file>: <message>`). */
const fileError = (file: string, e: unknown) => new InputError(`${file}: ${e instanceof Error ? e.message : String(e)}`, e instanceof SrError ? e.code : 'E_INPUT');

async function evaluate(pair: Pair, o: Options, lpips: Lpips | null): Promise<ImageRow> {
  const row: ImageRow = { name: pair.name };
  const gt = await toPixels(pair.gt, {}, pair.gt).catch((e) => {
    throw fileError(pair.gt, e);
  });
  const crop = o.crop;
  if (2 * crop >= Math.min(gt.height, gt.width)) throw fileError(pair.gt, new InputError(`--crop ${crop} leaves nothing of a ${gt.width}×${gt.height} image`));
  if (pair.sr) {
    const sr = await toPixels(pair.sr, {}, pair.sr).catch((e) => {
      throw fileError(pair.sr!, e);
    });
    if (sr.height !== gt.height || sr.width !== gt.width)
      throw fileError(pair.sr, new InputError(`is ${sr.width}×${sr.height} but its GT ${pair.gt} is ${gt.width}×${gt.height}`, 'E_SHAPE'));
    const f = { cropBorder: o.crop, yChannel: o.y };
    row.psnr = psnrPixels(gt, sr, f);
    row.ssim = ssimPixels(gt, sr, f);
    if (lpips) row.lpips = await lpips.distance(pair.gt, pair.sr);
  }
  if (pair.samples) {
    if (!lpips) throw new SrError('E_INPUT', '--samples needs LPIPS-alex: pass --lpips alex --lpips-weights <alexnet features .pth> --lpips-lin <alex.pth>');
    const scale = o.scale ?? 4;
    if (Math.floor(gt.height / scale) < MIN_LR_SIDE || Math.floor(gt.width / scale) < MIN_LR_SIDE)
      throw fileError(pair.gt, new InputError(`${gt.width}×${gt.height} at --scale ${scale} gives an LR image under ${MIN_LR_SIDE} px a side (the bicubic kernel): LR-PSNR is meaningless`, 'E_SCALE'));
    for (const f of pair.samples) {
      const img = await readImage(f).catch((e) => {
        throw fileError(f, e);
      });
      if (img.height !== gt.height || img.width !== gt.width)
        throw fileError(f, new InputError(`sample is ${img.width}×${img.height} but its GT ${pair.gt} is ${gt.width}×${gt.height}`, 'E_SHAPE'));
    }
    const r = await ntireScores(pair.samples, pair.gt, { lpips, scale }).catch((e) => {
      throw fileError(pair.gt, e);
    });
    Object.assign(row, { diversity: r.score, lpipsMean: r.LPIPS_mean, lrPsnrMean: r.LRPSNR_mean, lrPsnrWorst: r.LRPSNR_worst });
  }
  return row;
}

const KEYS = ['psnr', 'ssim', 'lpips', 'diversity', 'lpipsMean', 'lrPsnrMean', 'lrPsnrWorst'] as const;

/** Plain mean of each column over the rows that have it (measure.py and BasicSR average per image). */
export function meanRow(rows: ImageRow[]): Record<string, number> {
  const mean: Record<string, number> = {};
  for (const k of KEYS) {
    const v = rows.map((r) => r[k]).filter((x): x is number => x !== undefined);
    if (v.length) mean[k] = v.reduce((a, b) => a + b, 0) / v.length;
  }
  return mean;
}

const fmt = (k: string, v: number | undefined) => (v === undefined ? '' : !Number.isFinite(v) ? String(v) : k === 'psnr' || k.startsWith('lrPsnr') || k === 'diversity' ? v.toFixed(4) : v.toFixed(6));

function table(rows: ImageRow[], mean: Record<string, number>): string[] {
  const cols = KEYS.filter((k) => rows.some((r) => r[k] !== undefined));
  const body = [...rows.map((r) => [r.name, ...cols.map((k) => fmt(k, r[k]))]), ['mean', ...cols.map((k) => fmt(k, mean[k]))]];
  const head = ['image', ...cols];
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ');
  return [line(head), ...body.slice(0, -1).map(line), '-'.repeat(w.reduce((a, b) => a + b + 2, -2)), line(body[body.length - 1]!)];
}

function csv(rows: ImageRow[], mean: Record<string, number>): string {
  const cols = KEYS.filter((k) => rows.some((r) => r[k] !== undefined));
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['name', ...cols].join(',')];
  for (const r of rows) lines.push([esc(r.name), ...cols.map((k) => (r[k] === undefined ? '' : String(r[k])))].join(','));
  lines.push(['mean', ...cols.map((k) => (mean[k] === undefined ? '' : String(mean[k])))].join(','));
  return lines.join('\n') + '\n';
}

/** JSON cannot hold ±Infinity (PSNR of identical images): it is written as the string "Infinity". */
const jsonNumbers = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

async function run(o: Options, io: CliIO): Promise<number> {
  if (!o.sr && !o.samples) throw new SrError('E_INPUT', 'nothing to measure: pass --sr <dir> and/or --samples <dir>');
  if ((o.lpips || o.samples) && (!o.lpipsWeights || !o.lpipsLin))
    throw new SrError('E_INPUT', 'LPIPS needs --lpips-weights <torchvision features .pth> and --lpips-lin <LPIPS v0.1 lin .pth> (weights are never downloaded)');
  for (const f of [o.json, o.csv]) if (f) await cliCheckOutputFile(f, {});
  // Pairing before the backend and LPIPS are set up: a mismatched set fails in a moment.
  const { pairs, unmatched, extraSr } = await pairFiles(o.gt, o.sr, o.samples);
  const list = (xs: string[]) => (xs.length > 5 ? `${xs.slice(0, 5).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
  if (!o.allowUnpaired && (unmatched.length || extraSr.length)) {
    const what = [
      unmatched.length ? `GT image(s) without a matching SR file${o.samples ? ' or samples folder' : ''}: ${list(unmatched)}` : '',
      extraSr.length ? `SR file(s) without a GT image: ${list(extraSr)}` : '',
    ].filter(Boolean);
    throw new InputError(`the sets do not match (pairing is by file name): ${what.join('; ')}; pass --allow-unpaired to skip them`, 'E_UNPAIRED');
  }
  for (const u of unmatched) io.err(`warning: ${u}: no matching SR file or samples folder, skipped`);
  for (const u of extraSr) io.err(`warning: ${u}: SR file without a GT image, skipped`);
  const report = await initBackend(o.backend);
  if (!o.quiet) io.err(`backend: ${report.summary}`);
  const lpips = o.lpips || o.samples ? await createLpips({ net: o.lpips ?? 'alex', backboneWeights: o.lpipsWeights, linWeights: o.lpipsLin }) : null;
  try {
    const bar = cliProgress({
      name: 'sr-metrics',
      what: 'images',
      quiet: io.progress === false || o.quiet,
      tty: io.progress === true ? true : undefined,
      write: (l) => io.err(l),
      bar: () => new SingleBar({ stream: process.stderr, format: ' {bar} {value}/{total} {name}' }, Presets.shades_classic),
    });
    bar.start(pairs.length, { name: '' });
    const rows: ImageRow[] = [];
    let failed = 0;
    for (const p of pairs) {
      try {
        rows.push(await evaluate(p, o, lpips));
      } catch (e) {
        if (!o.keepGoing) throw e;
        failed++;
        io.err(`sr-metrics: ${(e as Error).message} (skipped: --keep-going)`);
      }
      bar.update(rows.length + failed, { name: p.name });
    }
    bar.stop();
    if (!rows.length) throw new InputError(`no image could be measured (${failed} failed)`, 'E_INPUT');
    const mean = meanRow(rows);
    for (const l of table(rows, mean)) io.out(l);
    const settings = { scale: o.scale ?? null, cropBorder: o.crop, yChannel: !!o.y, lpips: lpips ? `${lpips.net} v0.1` : null };
    if (o.json) await writeFile(o.json, JSON.stringify({ images: rows, mean, settings }, jsonNumbers, 2) + '\n');
    if (o.csv) await writeFile(o.csv, csv(rows, mean));
    if (failed) io.err(`sr-metrics: ${failed} of ${pairs.length} image(s) failed (see above); the table and files hold the others`);
    return failed ? 1 : 0;
  } finally {
    lpips?.dispose();
  }
}

/** Entry point of the `sr-metrics` binary; returns the exit code. */
export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  let result = 0;
  const program = cliConfigure(new Command('sr-metrics'), 'sr-metrics', { writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .description('PSNR/SSIM (BasicSR conventions), LPIPS v0.1 and NTIRE 2021 diversity/LR-PSNR for folders of images')
    .requiredOption('--gt <dir>', 'ground-truth images (PNG/JPEG)')
    .option('--sr <dir>', 'SR results, paired with GT by file name')
    .option('--samples <dir>', 'one sub-folder of SR samples per GT image (named after its stem): NTIRE 2021 diversity + LR-PSNR')
    .option('--scale <n>', `SR scale, 1–${MAX_SCALE} (LR-PSNR downscaling; 4 by default)`, cliIntegerIn({ min: 1, max: MAX_SCALE }))
    .option('--crop <n>', 'border pixels removed before PSNR/SSIM (the SR convention is the scale)', cliIntegerIn({ min: 0, max: 1 << 16 }), 0)
    .option('--y', 'PSNR/SSIM on the Y channel (BT.601) instead of RGB')
    .option('--lpips <net>', 'also compute LPIPS v0.1 with this backbone: alex | squeeze | vgg', cliChoice(['alex', 'squeeze', 'vgg'] as const))
    .option('--lpips-weights <file>', 'torchvision backbone features .pth (e.g. alexnet-features.pth)')
    .option('--lpips-lin <file>', 'LPIPS v0.1 lin weights .pth (e.g. weights/v0.1/alex.pth)')
    .option('--json <file>', 'write {"images": [...], "mean": {...}} to this file (its folder must exist)')
    .option('--csv <file>', 'write a CSV table (last row: mean) to this file (its folder must exist)')
    .option('--allow-unpaired', 'skip (with a warning) GT images without SR files/samples and SR files without GT, instead of failing')
    .option('--keep-going', 'on an image that fails, report it and go on with the others (exit code 1 at the end)')
    .option('--backend <name>', 'tfjs backend: auto | wasm | webgpu | cpu', cliBackend, 'auto' as BackendName)
    .option('-q, --quiet', 'no backend line, no progress')
    .action(async (o: Options) => {
      result = await run(o, io);
    });
  const exit = await cliRun(program, argv, { name: 'sr-metrics', log: (l) => io.err(l) });
  return exit || result;
}
