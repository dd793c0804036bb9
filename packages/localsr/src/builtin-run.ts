/**
 * Executable of the built-in weights' training ({@link trainBuiltin}): `npm run train:builtin -w @sr/localsr
 * [-- --tail-steps 400 --module-steps 400 --threads 1 --backend wasm]`. Writes `weights/default.safetensors`
 * and `bench/results/builtin.json`; `npm run card -w @sr/localsr` renders the report into MODEL_CARD.md.
 * @module
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGradients, initBackend, useFastCpuConvGradients, type BackendName } from '@sr/core';
import { trainBuiltin } from './builtin-train.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const num = (name: string, d: number) => (arg(name) === undefined ? d : Number(arg(name)));

async function main(): Promise<void> {
  await initBackend((arg('--backend') ?? 'wasm') as BackendName, { wasmThreads: num('--threads', 1) });
  await ensureGradients();
  useFastCpuConvGradients();
  await trainBuiltin({
    ciaosrWeights: arg('--ciaosr') ?? path.join(pkg, '..', 'ciaosr', 'weights', 'default.safetensors'),
    datasets: arg('--datasets') ?? path.resolve(pkg, '..', '..', '..', 'shared', 'datasets'),
    out: arg('--out') ?? path.join(pkg, 'weights', 'default.safetensors'),
    report: arg('--report') ?? path.join(pkg, 'bench', 'results', 'builtin.json'),
    tailSteps: num('--tail-steps', 400),
    moduleSteps: num('--module-steps', 400),
    batch: num('--batch', 2),
    evalCrop: num('--eval-crop', 512),
    seed: num('--seed', 0),
    log: (s) => process.stdout.write(s + '\n'),
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
