/**
 * Executable wrapper of the training experiment ({@link runExperiment}), the run the README reports:
 * `node dist/experiment-run.js [--backend wasm] [--threads 1] [--steps 400] [--train-backbone] [--out file] …`
 * (`npm run experiment:train` in this package). Every flag maps to an {@link ExperimentOptions} field;
 * the defaults here are the reported run's settings.
 * @module
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureGradients, initBackend, useFastCpuConvGradients, type BackendName } from '@sr/core';
import { runExperiment } from './experiment.js';

/** Finds `shared/datasets/photos` next to the repository root (the layout of this monorepo's checkout). */
function defaultPhotos(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const p = path.join(dir, '..', 'shared', 'datasets', 'photos');
    if (fs.existsSync(p)) return path.resolve(p);
  }
  return path.resolve('shared', 'datasets', 'photos');
}

/** Parses the flags, runs the experiment, writes the JSON report; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, d: number) => (arg(name) === undefined ? d : Number(arg(name)));
  const list = (name: string, d: string[]) => arg(name)?.split(',') ?? d;
  const backend = (arg('--backend') ?? 'wasm') as BackendName;
  await initBackend(backend, { wasmThreads: num('--threads', 1) });
  await ensureGradients();
  useFastCpuConvGradients();
  const here = path.dirname(fileURLToPath(import.meta.url));
  await runExperiment({
    photosDir: arg('--photos') ?? defaultPhotos(),
    train: list('--train', ['astronaut', 'chelsea', 'coffee', 'motorcycle_left']),
    heldOut: list('--held-out', ['rocket']),
    pretrainSteps: num('--pretrain-steps', 1000),
    pretrainLr: num('--pretrain-lr', 1e-3),
    pretrainCrop: num('--pretrain-crop', 24),
    steps: num('--steps', 800),
    batch: num('--batch', 2),
    lr: num('--lr', 2e-4),
    moduleLr: num('--module-lr', 1e-3),
    // the reported run trains only the GCM/PIM; `--train-backbone` fine-tunes everything (runs 1–2)
    freezeBackbone: !argv.includes('--train-backbone'),
    contextSize: num('--context', 48),
    roiSize: num('--roi', 16),
    evalRoi: num('--eval-roi', 16),
    seed: num('--seed', 0),
    model: {
      backbone: 'edsr',
      backboneConfig: { channels: num('--channels', 32), blocks: num('--blocks', 8) },
      padding: num('--padding', 4),
      numPatches: num('--patches', 64),
      gcmStages: 2,
    },
    out: arg('--out') ?? path.join(here, '..', 'bench', 'results', 'training.json'),
    log: (s) => process.stderr.write(s + '\n'),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
