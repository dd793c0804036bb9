import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import cliProgress from 'cli-progress';
import { CLI_BACKEND_HELP, cliInitBackend, cliInteger, cliRun, cliWriteJson, cliWriteOutput, readImage, type BackendName } from '@sr/core';
import { createRefVAE } from '../api.js';
import { runBenchmark } from '../benchmark.js';
import type { ReferenceSpec } from '../reference.js';

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
    if (!fs.existsSync(f)) throw new CommanderError(2, 'E_WEIGHTS', `missing ${what}: ${f} (use --weights-dir or --encoder/--vae)`);
  return { encoder, vae };
}

/** `refvae upscale|bench …`; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('refvae')
    .description('RefVAE reference-guided diverse super-resolution ×8/×4 (Liu, Siu & Wang, CVPRW 2021)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('upscale')
    .argument('<input>', 'LR image (PNG/JPEG)')
    .requiredOption('-o, --output <file>', 'output PNG ("-" for stdout); with --count > 1, out.png → out_0.png, out_1.png … (or use {i})')
    .option('-r, --reference <ref>', 'reference image file, "noise" (uniform [0,128)/255, new per sample), "self" (the LR) or "prior" (z ~ N(0,I))', 'noise')
    .option('-n, --count <n>', 'number of samples', cliInteger, 1)
    .option('--seed <n>', 'random seed', cliInteger, 0)
    .option('--scale <s>', '8 (ConVAE_8x) or 4 (ConVAE_4x)', cliInteger, 8)
    .option('--weights-dir <dir>', 'folder with vgg_r41.pth and ConVAE_<s>x.pth', 'models')
    .option('--encoder <file>', 'vgg_r41.pth (overrides --weights-dir)')
    .option('--vae <file>', 'ConVAE_<s>x.pth (overrides --weights-dir)')
    .option('--backend <name>', CLI_BACKEND_HELP, 'auto')
    .option('-q, --quiet', 'no progress bar')
    .action(async (input: string, o) => {
      if (o.scale !== 4 && o.scale !== 8) throw new CommanderError(2, 'E_ARG', `--scale must be 4 or 8, got ${o.scale}`);
      if (!(o.count >= 1)) throw new CommanderError(2, 'E_ARG', `--count must be ≥ 1, got ${o.count}`);
      const weights = weightFiles(o, o.scale);
      await cliInitBackend(o.backend, { quiet: o.quiet });
      const model = await createRefVAE({ weights, scale: o.scale });
      const bar = o.quiet ? null : new cliProgress.SingleBar({ format: 'sampling [{bar}] {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic);
      try {
        const lr = await readImage(input);
        const r = o.reference as string;
        const reference: ReferenceSpec = r === 'noise' || r === 'self' || r === 'prior' ? r : await readImage(r);
        bar?.start(o.count, 0);
        const results = await model.upscale(lr, {
          reference,
          count: o.count,
          seed: o.seed,
          onProgress: (p) => {
            if (p.stage === 'sample') bar?.update(p.done);
          },
        });
        bar?.stop();
        for (const [i, res] of results.entries()) {
          const file = sampleName(o.output, i, results.length);
          await cliWriteOutput(file, await res.toPNG());
          res.dispose();
          if (!o.quiet) process.stderr.write(`wrote ${file} (${res.width}×${res.height})\n`);
        }
      } finally {
        bar?.stop();
        model.dispose();
      }
    });

  program
    .command('bench')
    .description('time per sample with random weights; writes JSON')
    .option('--backends <list>', 'comma-separated backends', 'wasm')
    .option('--sizes <list>', 'comma-separated LR sizes', '64,128')
    .option('--scale <s>', '8 or 4', cliInteger, 8)
    .option('-n, --count <n>', 'samples per configuration', cliInteger, 2)
    .option('-o, --output <file>', 'JSON output', 'bench/results/refvae.json')
    .action(async (o) => {
      const res = await runBenchmark({
        backends: (o.backends as string).split(',') as BackendName[],
        sizes: (o.sizes as string).split(',').map(Number),
        scale: o.scale,
        count: o.count,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      await cliWriteJson(o.output, res);
    });

  return cliRun(program, argv, { name: 'refvae', showErrorCode: true });
}
