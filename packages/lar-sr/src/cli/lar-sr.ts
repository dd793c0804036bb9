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
import { CLI_BACKEND_HELP, cliInitBackend, cliInteger, cliNumber, cliRun, readImage, writeImage, type BackendName } from '@sr/core';
import { createLarSR } from '../api.js';

interface SampleCliOptions {
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
  backend: BackendName;
}

const EXTS = ['.pth', '.pt', '.safetensors', '.bin'];

/** `<dir>/<stem>.<ext>` for the first existing extension, or null. */
function findWeights(dir: string | undefined, stem: string): string | null {
  if (!dir) return null;
  for (const e of EXTS) if (fs.existsSync(path.join(dir, stem + e))) return path.join(dir, stem + e);
  return null;
}

/** CLI entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('lar-sr').exitOverride().description('LAR-SR diverse super-resolution (tfjs)');
  let code = 0;
  program
    .command('sample')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--count <n>', 'number of samples', cliInteger, 10)
    .option('--seed <n>', 'random seed (sample j uses stream j of it)', cliInteger, 0)
    .option('--temperature <t>', 'softmax temperature', cliNumber)
    .option('--top-k <k>', 'sample among the k most probable codes', cliInteger)
    .option('--argmax-prob <p>', "probability of taking the argmax per location (official 'thed')", cliNumber)
    .option('--greedy', 'argmax at every position (deterministic)')
    .option('--weights-dir <dir>', 'folder with vqvae.pth, lar.pth and optionally rrdb.pth')
    .option('--vqvae <file>', 'res_vqvae checkpoint')
    .option('--lar <file>', 'Local_Ar (LAR or LAR-attn) checkpoint')
    .option('--rrdb <file>', 'RRDB coarse-SR checkpoint (ESRGAN keys)')
    .option('--backend <name>', CLI_BACKEND_HELP, 'auto')
    .action(async (input: string, o: SampleCliOptions) => {
      const vqvae = o.vqvae ?? findWeights(o.weightsDir, 'vqvae');
      const lar = o.lar ?? findWeights(o.weightsDir, 'lar');
      const rrdb = o.rrdb ?? findWeights(o.weightsDir, 'rrdb') ?? undefined;
      if (!vqvae || !lar) {
        console.error('lar-sr: need the VQ-VAE and LAR checkpoints: --weights-dir <dir> with vqvae.pth and lar.pth, or --vqvae and --lar');
        code = 2;
        return;
      }
      await cliInitBackend(o.backend, { log: (l) => console.error(l) });
      const model = await createLarSR({ weights: { vqvae, lar, rrdb } });
      const bar = new SingleBar({ format: 'sampling [{bar}] {value}/{total} steps', clearOnComplete: true });
      try {
        const img = await readImage(input);
        bar.start(o.count * model.patchSize ** 2, 0);
        const results = await model.sample(img, {
          count: o.count, seed: o.seed, temperature: o.temperature, topK: o.topK, greedy: o.greedy, argmaxProb: o.argmaxProb,
          onProgress: (p) => p.stage === 'sample' && bar.update(p.done),
        });
        bar.stop();
        fs.mkdirSync(o.out, { recursive: true });
        const stem = path.basename(input).replace(/\.[^.]+$/, '');
        for (const r of results) {
          const file = path.join(o.out, `${stem}_${o.seed}_${r.index}.png`);
          await writeImage(file, await r.toImageArray());
          r.dispose();
          console.log(file);
        }
      } finally {
        bar.stop();
        model.dispose();
      }
    });
  const exit = await cliRun(program, argv, { name: 'lar-sr', log: (l) => console.error(l) });
  return exit || code;
}
