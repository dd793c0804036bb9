/**
 * `vspsr` command line: draw diverse SR samples of an image.
 *
 *   vspsr sample in.png -o outdir --count 10 --seed 0 --weights w.pth [--cem matlab|opencv|none]
 *
 * Writes `<outdir>/<name>_sample00000.png`, … (the NTIRE 2021 naming, `{idx}_sample{i:05d}.png`).
 * @module
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import {
  CLI_BACKEND_HELP,
  CliArgumentError,
  cliCheckImageOutputs,
  cliConfigure,
  cliImageWriterOptions,
  cliInitBackend,
  cliInteger,
  cliIntegerIn,
  cliIntegerList,
  cliNumberIn,
  cliProgress,
  cliResultToImage,
  cliRun,
  cliWriteImage,
  cliWriteJson,
  readImage,
  cliBackend,
  type BackendName,
} from '@sr/core';
import { createVSpSR, type CemChoice } from '../api.js';

/** Parses `--cem`: matlab (default), opencv, none/false. */
function parseCem(v: string): CemChoice {
  if (v === 'matlab' || v === 'opencv') return v;
  if (v === 'none' || v === 'false' || v === 'off') return false;
  throw new CliArgumentError("expected 'matlab', 'opencv' or 'none'");
}

/** Most samples one run draws. */
const MAX_COUNT = 1000;

/** Parses `--scale`: 4 or 8 (the released VSpSR models). */
function parseScale(v: string): 4 | 8 {
  if (v === '4' || v === '8') return Number(v) as 4 | 8;
  throw new CliArgumentError('expected 4 or 8');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = cliConfigure(new Command('vspsr'), 'vspsr').description('VSpSR: explorable super-resolution by variational sparse representation (NTIRE 2021)');
  const sample = program
    .command('sample')
    .description('draw diverse SR samples of one LR image')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .option('-w, --weights <file>', 'VSpSR weights (.pth: state dict or {model: …}); default: the built-in ×4 weights')
    .requiredOption('-o, --out <dir>', 'output folder (created), or "-" for one PNG on stdout (--count 1)')
    .option('-n, --count <n>', `number of samples, 1–${MAX_COUNT}`, cliIntegerIn({ min: 1, max: MAX_COUNT }), 10)
    .option('-s, --seed <n>', 'seed of the coefficient noise', cliInteger, 0)
    .option('--scale <n>', 'expected scale (4 or 8; checked against the weights)', parseScale)
    .option('--cem <kind>', "consistency module: 'matlab' (exact MATLAB-bicubic LR consistency), 'opencv' (official) or 'none'", parseCem, 'matlab' as CemChoice)
    .option('-t, --temperature <x>', 'noise temperature, ≥ 0 (0 = posterior mean)', cliNumberIn({ min: 0, max: 1e6 }), 1);
  cliImageWriterOptions(sample, { backendFlags: '-b, --backend <name>' })
    .action(async (input: string, o: Record<string, any>) => {
      const stem = path.basename(input).replace(/\.[^.]+$/, '');
      const fileOf = (i: number) => (o.out === '-' ? '-' : path.join(o.out, `${stem}_sample${String(i).padStart(5, '0')}.png`));
      await cliCheckImageOutputs(o.out, Array.from({ length: o.count }, (_, i) => fileOf(i)), { inputs: [input, o.weights], force: o.force, folder: true });
      const img = await readImage(input);
      await cliInitBackend(o.backend, { quiet: o.quiet, log: (l) => console.error(l) });
      const v = await createVSpSR({ weights: o.weights ?? 'default', scale: o.scale });
      const bar = cliProgress({
        name: 'vspsr',
        what: 'samples',
        quiet: o.quiet,
        bar: () => new SingleBar({ format: 'sampling [{bar}] {value}/{total} {stage}', stream: process.stderr }, Presets.shades_classic),
      });
      bar.start(o.count, { stage: '' });
      try {
        const t0 = Date.now();
        const samples = await v.sample(img, {
          count: o.count,
          seed: o.seed,
          cem: o.cem,
          temperature: o.temperature,
          onProgress: (p) => p.stage !== 'encode' && bar.update(p.done, { stage: p.stage }),
        });
        bar.stop();
        for (const s of samples) {
          const file = fileOf(s.index);
          await cliWriteImage(file, await cliResultToImage(s, img, { bitDepth: o.bitDepth }));
          s.dispose();
          if (!o.quiet && file !== '-') console.error(`wrote ${file}`);
        }
        if (!o.quiet) console.error(`${samples.length} samples in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      } finally {
        bar.stop();
        v.dispose();
      }
    });
  program
    .command('bench')
    .description('time per sample and LR-PSNR of CEM outputs (MATLAB vs OpenCV kernel) on Set5; writes JSON')
    .option('-o, --out <file>', 'output JSON', 'bench/results/vspsr.json')
    .option('-b, --backend <name>', CLI_BACKEND_HELP, cliBackend, 'auto' as BackendName)
    .option('--sizes <list>', 'LR sizes for timing, comma-separated', cliIntegerList({ min: 1, max: 4096 }), [32, 64])
    .option('--scales <list>', 'scales, comma-separated (4, 8)', cliIntegerList({ min: 4, max: 8 }), [4, 8])
    .option('--count <n>', 'samples per timing', cliIntegerIn({ min: 1, max: MAX_COUNT }), 3)
    .option('--dataset <dir>', 'Set5 folder (default: <shared>/datasets/set5)')
    .action(async (o: Record<string, any>) => {
      const { runBenchmark } = await import('../benchmark.js');
      const result = await runBenchmark({
        backend: o.backend,
        lrSizes: o.sizes,
        scales: o.scales as (4 | 8)[],
        count: o.count,
        datasetDir: o.dataset,
        log: (l) => console.error(l),
      });
      await cliWriteJson(o.out, result);
    });
  return cliRun(program, argv, { name: 'vspsr', log: (l) => console.error(l) });
}
