/**
 * Executable of {@link trainBuiltinVSpSR}: `npm run train:builtin -w @sr/vspsr [-- --steps 2000 --threads 1 --init weights/default.safetensors]`;
 * writes `weights/default.safetensors` (every `--save-every` steps and at the end) and the loss log
 * `bench/results/builtin-train.csv`.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGradients, initBackend, type BackendName } from '@sr/core';
import { trainBuiltinVSpSR } from './builtin-train.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const num = (n: string, d: number) => (arg(n) === undefined ? d : Number(arg(n)));

async function main(): Promise<void> {
  await initBackend((arg('--backend') ?? 'wasm') as BackendName, { wasmThreads: num('--threads', 1) });
  await ensureGradients();
  const r = await trainBuiltinVSpSR({
    datasets: arg('--datasets') ?? path.resolve(pkg, '..', '..', '..', 'shared', 'datasets'),
    out: arg('--out') ?? path.join(pkg, 'weights', 'default.safetensors'),
    init: arg('--init'),
    steps: num('--steps', 2000),
    batch: num('--batch', 4),
    crop: num('--crop', 24),
    lr: num('--lr', 5e-4),
    saveEvery: num('--save-every', 100),
    log: (s) => process.stdout.write(s + '\n'),
  });
  const csv = arg('--log') ?? path.join(pkg, 'bench', 'results', 'builtin-train.csv');
  fs.mkdirSync(path.dirname(csv), { recursive: true });
  fs.writeFileSync(csv, ['step,total,mse,kl_w,d_loss,elapsed_s', ...r.log.map((row) => row.map((x) => +x.toFixed(6)).join(','))].join('\n') + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
