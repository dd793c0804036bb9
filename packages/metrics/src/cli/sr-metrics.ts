/**
 * `sr-metrics`: PSNR / SSIM / LPIPS of a folder of SR results against a folder of GT images (paired by
 * file name), and the NTIRE 2021 diversity score and LR-PSNR of per-image sample folders.
 *
 * ```
 * sr-metrics --gt gt/ --sr sr/ [--scale 4] [--crop 4] [--y]
 *            [--lpips alex --lpips-weights alexnet-features.pth --lpips-lin alex.pth]
 *            [--samples samples/] [--json out.json | --csv out.csv] [--backend auto]
 * ```
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { initBackend, SrError, type BackendName } from '@sr/core';
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
  /** Show a progress bar (default: when stderr is a TTY). */
  progress?: boolean;
}

const consoleIO: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l), progress: !!process.stderr.isTTY };

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

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

async function evaluate(pair: Pair, o: Options, lpips: Lpips | null): Promise<ImageRow> {
  const row: ImageRow = { name: pair.name };
  const gt = await toPixels(pair.gt, {}, pair.gt);
  if (pair.sr) {
    const sr = await toPixels(pair.sr, {}, pair.sr);
    const f = { cropBorder: o.crop, yChannel: o.y };
    row.psnr = psnrPixels(gt, sr, f);
    row.ssim = ssimPixels(gt, sr, f);
    if (lpips) row.lpips = await lpips.distance(pair.gt, pair.sr);
  }
  if (pair.samples) {
    if (!lpips) throw new SrError('E_INPUT', '--samples needs LPIPS-alex: pass --lpips alex --lpips-weights <alexnet features .pth> --lpips-lin <alex.pth>');
    const r = await ntireScores(pair.samples, pair.gt, { lpips, scale: o.scale ?? 4 });
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
  const report = await initBackend(o.backend);
  io.err(`backend: ${report.summary}`);
  const lpips = o.lpips || o.samples ? await createLpips({ net: o.lpips ?? 'alex', backboneWeights: o.lpipsWeights, linWeights: o.lpipsLin }) : null;
  try {
    const { pairs, unmatched } = await pairFiles(o.gt, o.sr, o.samples);
    for (const u of unmatched) io.err(`warning: ${u}: no matching SR file or samples folder, skipped`);
    const bar = io.progress ? new SingleBar({ stream: process.stderr, format: ' {bar} {value}/{total} {name}' }, Presets.shades_classic) : null;
    bar?.start(pairs.length, 0, { name: '' });
    const rows: ImageRow[] = [];
    for (const p of pairs) {
      rows.push(await evaluate(p, o, lpips));
      bar?.increment(1, { name: p.name });
    }
    bar?.stop();
    const mean = meanRow(rows);
    for (const l of table(rows, mean)) io.out(l);
    const settings = { scale: o.scale ?? null, cropBorder: o.crop, yChannel: !!o.y, lpips: lpips ? `${lpips.net} v0.1` : null };
    if (o.json) await writeFile(o.json, JSON.stringify({ images: rows, mean, settings }, jsonNumbers, 2) + '\n');
    if (o.csv) await writeFile(o.csv, csv(rows, mean));
    return 0;
  } finally {
    lpips?.dispose();
  }
}

/** Entry point of the `sr-metrics` binary; returns the exit code. */
export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  let result = 0;
  const program = new Command('sr-metrics')
    .description('PSNR/SSIM (BasicSR conventions), LPIPS v0.1 and NTIRE 2021 diversity/LR-PSNR for folders of images')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .requiredOption('--gt <dir>', 'ground-truth images (PNG/JPEG)')
    .option('--sr <dir>', 'SR results, paired with GT by file name')
    .option('--samples <dir>', 'one sub-folder of SR samples per GT image (named after its stem): NTIRE 2021 diversity + LR-PSNR')
    .option('--scale <n>', 'SR scale (LR-PSNR downscaling; 4 by default)', int)
    .option('--crop <n>', 'border pixels removed before PSNR/SSIM (the SR convention is the scale)', int, 0)
    .option('--y', 'PSNR/SSIM on the Y channel (BT.601) instead of RGB')
    .option('--lpips <net>', 'also compute LPIPS v0.1 with this backbone: alex | squeeze | vgg')
    .option('--lpips-weights <file>', 'torchvision backbone features .pth (e.g. alexnet-features.pth)')
    .option('--lpips-lin <file>', 'LPIPS v0.1 lin weights .pth (e.g. weights/v0.1/alex.pth)')
    .option('--json <file>', 'write {"images": [...], "mean": {...}} to this file')
    .option('--csv <file>', 'write a CSV table (last row: mean) to this file')
    .option('--backend <name>', 'tfjs backend: auto | wasm | webgpu | cpu', 'auto')
    .action(async (o: Options) => {
      if (o.lpips && !['alex', 'squeeze', 'vgg'].includes(o.lpips)) throw new SrError('E_INPUT', `--lpips must be alex, squeeze or vgg (got '${o.lpips}')`);
      result = await run(o, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof SrError) {
      io.err(`sr-metrics: ${e.message}`);
      return 1;
    }
    throw e;
  }
  return result;
}
