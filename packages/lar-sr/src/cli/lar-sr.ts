/**
 * `lar-sr sample <in.png> -o <outdir> [--count 10] [--seed 0] --weights-dir <dir>`: draws diverse
 * LAR-SR samples of an LR image and writes `<outdir>/<name>_<seed>_<j>.png`.
 *
 * `--weights-dir` holds `vqvae.(pth|pt)`, `lar.(pth|pt)` and optionally `rrdb.(pth|pt)` (official
 * layouts; a `vqvae` saved with `backbone='RRDB'` carries the RRDB as `cause_sr.*`); `--vqvae`,
 * `--lar`, `--rrdb` name the files directly. Without an RRDB the input is taken as x_c (no ×4).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  CliUsageError,
  cliCheckImageOutputs,
  cliConfigure,
  cliImageWriterOptions,
  cliInitBackend,
  cliInteger,
  cliIntegerIn,
  cliNumberIn,
  cliProgress,
  cliResultToImage,
  cliRun,
  cliWriteImage,
  readImage,
  type CliImageWriterValues,
} from '@sr/core';
import { createLarSR } from '../api.js';

interface SampleCliOptions extends CliImageWriterValues {
  out: string;
  count: number;
  seed: number;
  temperature?: number;
  topK?: number;
  greedy?: boolean;
  argmaxProb?: number;
  weightsDir?: string;
  vqvae?: string;
  lar?: string;
  rrdb?: string;
}

/** Most samples one run draws (each is a full autoregressive pass). */
const MAX_COUNT = 1000;

const EXTS = ['.pth', '.pt', '.safetensors', '.bin'];

/** `<dir>/<stem>.<ext>` for the first existing extension, or null. */
function findWeights(dir: string | undefined, stem: string): string | null {
  if (!dir) return null;
  for (const e of EXTS) if (fs.existsSync(path.join(dir, stem + e))) return path.join(dir, stem + e);
  return null;
}

/** CLI entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = cliConfigure(new Command('lar-sr'), 'lar-sr', { writeErr: (s) => console.error(s.trimEnd()) }).description('LAR-SR diverse super-resolution (tfjs)');
  const sample = program
    .command('sample')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .requiredOption('-o, --out <dir>', 'output folder (created), or "-" for one PNG on stdout (--count 1)')
    .option('--count <n>', `number of samples, 1–${MAX_COUNT}`, cliIntegerIn({ min: 1, max: MAX_COUNT }), 10)
    .option('--seed <n>', 'random seed (sample j uses stream j of it)', cliInteger, 0)
    .option('--temperature <t>', 'softmax temperature, > 0', cliNumberIn({ above: 0, max: 1e6 }))
    .option('--top-k <k>', 'sample among the k most probable codes, ≥ 1', cliIntegerIn({ min: 1, max: 1 << 20 }))
    .option('--argmax-prob <p>', "probability of taking the argmax per location, 0–1 (official 'thed')", cliNumberIn({ min: 0, max: 1 }))
    .option('--greedy', 'argmax at every position (deterministic)')
    .option('--weights-dir <dir>', 'folder with vqvae.pth, lar.pth and optionally rrdb.pth')
    .option('--vqvae <file>', 'res_vqvae checkpoint')
    .option('--lar <file>', 'Local_Ar (LAR or LAR-attn) checkpoint')
    .option('--rrdb <file>', 'RRDB coarse-SR checkpoint (ESRGAN keys)');
  cliImageWriterOptions(sample)
    .action(async (input: string, o: SampleCliOptions) => {
      const vqvae = o.vqvae ?? findWeights(o.weightsDir, 'vqvae');
      const lar = o.lar ?? findWeights(o.weightsDir, 'lar');
      const rrdb = o.rrdb ?? findWeights(o.weightsDir, 'rrdb') ?? undefined;
      if (!vqvae || !lar) throw new CliUsageError('need the VQ-VAE and LAR checkpoints: --weights-dir <dir> with vqvae.pth and lar.pth, or --vqvae and --lar');
      const stem = path.basename(input).replace(/\.[^.]+$/, '');
      const fileOf = (j: number) => (o.out === '-' ? '-' : path.join(o.out, `${stem}_${o.seed}_${j}.png`));
      await cliCheckImageOutputs(o.out, Array.from({ length: o.count }, (_, j) => fileOf(j)), { inputs: [input], force: o.force, folder: true });
      const img = await readImage(input);
      await cliInitBackend(o.backend, { quiet: o.quiet, log: (l) => console.error(l) });
      const model = await createLarSR({ weights: { vqvae, lar, rrdb } });
      const bar = cliProgress({ name: 'lar-sr', what: 'sampling steps', quiet: o.quiet, bar: () => new SingleBar({ format: 'sampling [{bar}] {value}/{total} steps', clearOnComplete: true, stream: process.stderr }) });
      try {
        bar.start(o.count * model.patchSize ** 2);
        const results = await model.sample(img, {
          count: o.count, seed: o.seed, temperature: o.temperature, topK: o.topK, greedy: o.greedy, argmaxProb: o.argmaxProb,
          onProgress: (p) => p.stage === 'sample' && bar.update(p.done),
        });
        bar.stop();
        for (const r of results) {
          const file = fileOf(r.index);
          await cliWriteImage(file, await cliResultToImage(r, img, { bitDepth: o.bitDepth }));
          r.dispose();
          if (file !== '-') console.log(file);
        }
      } finally {
        bar.stop();
        model.dispose();
      }
    });
  return cliRun(program, argv, { name: 'lar-sr', log: (l) => console.error(l) });
}
