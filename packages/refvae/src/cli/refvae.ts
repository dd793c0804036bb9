import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import {
  CliArgumentError,
  CliUsageError,
  cliCheckImageOutputs,
  cliCheckOutputSize,
  cliConfigure,
  cliImageWriterOptions,
  cliInitBackend,
  cliInteger,
  cliIntegerIn,
  cliIntegerList,
  cliProgress,
  cliResultToImage,
  cliRun,
  cliWriteImage,
  cliWriteJson,
  readImage,
  type BackendName,
} from '@sr/core';
import { createRefVAE } from '../api.js';
import { runBenchmark } from '../benchmark.js';
import type { ReferenceSpec } from '../reference.js';

/** Most samples one run draws. */
const MAX_COUNT = 1000;

/** Parses `--scale`: 8 (ConVAE_8x) or 4 (ConVAE_4x). */
function parseScale(v: string): 4 | 8 {
  if (v === '4' || v === '8') return Number(v) as 4 | 8;
  throw new CliArgumentError('expected 4 or 8');
}

/** `out.png` → `out_3.png` when several samples are written (a `{i}` in the name is replaced instead). */
export function sampleName(output: string, i: number, count: number): string {
  if (output.includes('{i}')) return output.replaceAll('{i}', String(i));
  if (count === 1) return output;
  const ext = path.extname(output);
  return `${output.slice(0, output.length - ext.length)}_${i}${ext || '.png'}`;
}

/** Finds the weight files in `--weights-dir` (official names) unless given explicitly. */
function weightFiles(o: { weightsDir?: string; encoder?: string; vae?: string }, scale: number): { encoder: string; vae: string } {
  const dir = o.weightsDir ?? 'models';
  const encoder = o.encoder ?? path.join(dir, 'vgg_r41.pth');
  const vae = o.vae ?? path.join(dir, `ConVAE_${scale}x.pth`);
  for (const [what, f] of [
    ['VGG encoder (LinearStyleTransfer vgg_r41.pth)', encoder],
    [`CVAE (ConVAE_${scale}x.pth)`, vae],
  ])
    if (!fs.existsSync(f)) throw new CliUsageError(`missing ${what}: ${f} (use --weights-dir or --encoder/--vae)`);
  return { encoder, vae };
}

/** `refvae upscale|bench …`; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = cliConfigure(new Command('refvae'), 'refvae').description('RefVAE reference-guided diverse super-resolution ×8/×4 (Liu, Siu & Wang, CVPRW 2021)');

  const upscale = program
    .command('upscale')
    .argument('<input>', 'LR image (PNG/JPEG)')
    .requiredOption('-o, --output <file>', 'output .png or .jpg ("-": PNG on stdout, --count 1 only); with --count > 1, out.png → out_0.png, out_1.png … (or use {i})')
    .option('-r, --reference <ref>', 'reference image file, "noise" (uniform [0,128)/255, new per sample), "self" (the LR) or "prior" (z ~ N(0,I))', 'noise')
    .option('-n, --count <n>', `number of samples, 1–${MAX_COUNT}`, cliIntegerIn({ min: 1, max: MAX_COUNT }), 1)
    .option('--seed <n>', 'random seed', cliInteger, 0)
    .option('--scale <s>', '8 (ConVAE_8x) or 4 (ConVAE_4x)', parseScale, 8)
    .option('--weights-dir <dir>', 'folder with vgg_r41.pth and ConVAE_<s>x.pth', 'models')
    .option('--encoder <file>', 'vgg_r41.pth (overrides --weights-dir)')
    .option('--vae <file>', 'ConVAE_<s>x.pth (overrides --weights-dir)');
  cliImageWriterOptions(upscale)
    .action(async (input: string, o) => {
      const r = o.reference as string;
      const refFile = r === 'noise' || r === 'self' || r === 'prior' ? undefined : r;
      await cliCheckImageOutputs(o.output, Array.from({ length: o.count }, (_, i) => sampleName(o.output, i, o.count)), { inputs: [input, refFile], force: o.force });
      const weights = weightFiles(o, o.scale);
      const lr = await readImage(input);
      cliCheckOutputSize(lr.width * o.scale, lr.height * o.scale);
      const reference: ReferenceSpec = refFile === undefined ? (r as ReferenceSpec) : await readImage(refFile);
      await cliInitBackend(o.backend, { quiet: o.quiet });
      const model = await createRefVAE({ weights, scale: o.scale });
      const bar = cliProgress({
        name: 'refvae',
        what: 'samples',
        quiet: o.quiet,
        bar: () => new SingleBar({ format: 'sampling [{bar}] {value}/{total}', stream: process.stderr }, Presets.shades_classic),
      });
      try {
        bar.start(o.count);
        const results = await model.upscale(lr, {
          reference,
          count: o.count,
          seed: o.seed,
          onProgress: (p) => {
            if (p.stage === 'sample') bar.update(p.done);
          },
        });
        bar.stop();
        for (const [i, res] of results.entries()) {
          const file = sampleName(o.output, i, results.length);
          await cliWriteImage(file, await cliResultToImage(res, lr, { bitDepth: o.bitDepth }), { warn: (l) => process.stderr.write(`refvae: ${l}\n`) });
          res.dispose();
          if (!o.quiet && file !== '-') process.stderr.write(`wrote ${file} (${res.width}×${res.height})\n`);
        }
      } finally {
        bar.stop();
        model.dispose();
      }
    });

  program
    .command('bench')
    .description('time per sample with random weights; writes JSON')
    .option('--backends <list>', 'comma-separated backends', 'wasm')
    .option('--sizes <list>', 'comma-separated LR sizes', cliIntegerList({ min: 1, max: 4096 }), [64, 128])
    .option('--scale <s>', '8 or 4', parseScale, 8)
    .option('-n, --count <n>', 'samples per configuration', cliIntegerIn({ min: 1, max: MAX_COUNT }), 2)
    .option('-o, --output <file>', 'JSON output', 'bench/results/refvae.json')
    .action(async (o) => {
      const res = await runBenchmark({
        backends: (o.backends as string).split(',') as BackendName[],
        sizes: o.sizes as number[],
        scale: o.scale,
        count: o.count,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      await cliWriteJson(o.output, res);
    });

  return cliRun(program, argv, { name: 'refvae', showErrorCode: true });
}
