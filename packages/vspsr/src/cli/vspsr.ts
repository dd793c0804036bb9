/**
 * `vspsr` command line: draw diverse SR samples of an image.
 *
 *   vspsr sample in.png -o outdir --count 10 --seed 0 --weights w.pth [--cem matlab|opencv|none]
 *
 * Writes `<outdir>/<name>_sample00000.png`, … (the NTIRE 2021 naming, `{idx}_sample{i:05d}.png`).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { CLI_BACKEND_HELP, cliInitBackend, cliInteger, cliNumber, cliRun, cliWriteJson, readImage, writeImage } from '@sr/core';
import { createVSpSR, type CemChoice } from '../api.js';

/** Parses `--cem`: matlab (default), opencv, none/false. */
function parseCem(v: string): CemChoice {
  if (v === 'matlab' || v === 'opencv') return v;
  if (v === 'none' || v === 'false' || v === 'off') return false;
  throw new InvalidArgumentError("--cem must be 'matlab', 'opencv' or 'none'");
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('vspsr')
    .description('VSpSR: explorable super-resolution by variational sparse representation (NTIRE 2021)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('sample')
    .description('draw diverse SR samples of one LR image')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .option('-w, --weights <file>', 'VSpSR weights (.pth: state dict or {model: …}); default: the built-in ×4 weights')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-n, --count <n>', 'number of samples', cliInteger, 10)
    .option('-s, --seed <n>', 'seed of the coefficient noise', cliInteger, 0)
    .option('--scale <n>', 'expected scale (4 or 8; checked against the weights)', cliInteger)
    .option('--cem <kind>', "consistency module: 'matlab' (exact MATLAB-bicubic LR consistency), 'opencv' (official) or 'none'", parseCem, 'matlab' as CemChoice)
    .option('-t, --temperature <x>', 'noise temperature (0 = posterior mean)', cliNumber, 1)
    .option('-b, --backend <name>', CLI_BACKEND_HELP, 'auto')
    .option('-q, --quiet', 'no progress bar')
    .action(async (input: string, o: Record<string, any>) => {
      await cliInitBackend(o.backend, { quiet: o.quiet, log: (l) => console.error(l) });
      const img = await readImage(input);
      const v = await createVSpSR({ weights: o.weights ?? 'default', scale: o.scale });
      const bar = o.quiet ? null : new cliProgress.SingleBar({ format: 'sampling [{bar}] {value}/{total} {stage}' }, cliProgress.Presets.shades_classic);
      bar?.start(o.count, 0, { stage: '' });
      try {
        const t0 = Date.now();
        const samples = await v.sample(img, {
          count: o.count,
          seed: o.seed,
          cem: o.cem,
          temperature: o.temperature,
          onProgress: (p) => p.stage !== 'encode' && bar?.update(p.done, { stage: p.stage }),
        });
        bar?.stop();
        fs.mkdirSync(o.out, { recursive: true });
        const stem = path.basename(input).replace(/\.[^.]+$/, '');
        for (const s of samples) {
          const file = path.join(o.out, `${stem}_sample${String(s.index).padStart(5, '0')}.png`);
          await writeImage(file, await s.toImageArray());
          s.dispose();
          if (!o.quiet) console.error(`wrote ${file}`);
        }
        if (!o.quiet) console.error(`${samples.length} samples in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      } finally {
        bar?.stop();
        v.dispose();
      }
    });
  program
    .command('bench')
    .description('time per sample and LR-PSNR of CEM outputs (MATLAB vs OpenCV kernel) on Set5; writes JSON')
    .option('-o, --out <file>', 'output JSON', 'bench/results/vspsr.json')
    .option('-b, --backend <name>', CLI_BACKEND_HELP, 'auto')
    .option('--sizes <list>', 'LR sizes for timing, comma-separated', '32,64')
    .option('--scales <list>', 'scales, comma-separated', '4,8')
    .option('--count <n>', 'samples per timing', cliInteger, 3)
    .option('--dataset <dir>', 'Set5 folder (default: <shared>/datasets/set5)')
    .action(async (o: Record<string, any>) => {
      const { runBenchmark } = await import('../benchmark.js');
      const result = await runBenchmark({
        backend: o.backend,
        lrSizes: String(o.sizes).split(',').map(Number),
        scales: String(o.scales).split(',').map(Number) as (4 | 8)[],
        count: o.count,
        datasetDir: o.dataset,
        log: (l) => console.error(l),
      });
      await cliWriteJson(o.out, result);
    });
  return cliRun(program, argv, { name: 'vspsr', log: (l) => console.error(l) });
}
