/**
 * Benchmark: seconds per sample of RefVAE ×8 (random weights) on 64² and 128² LR inputs, for the
 * `noise` reference (a fresh 256² VGG pass per sample) and the `prior` mode (z ~ N(0,I), decoder
 * only), with the LR encoding amortised over the samples; writes bench/results/refvae.json. The same
 * code runs from the built package (no tsx needed):
 *   node packages/refvae/bin/refvae.js bench --backends wasm --sizes 64,128 -o bench/results/refvae.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '@sr/core';
import { runBenchmark } from '../src/benchmark.js';

async function run(): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? 'wasm').split(',') as BackendName[];
  const result = await runBenchmark({ backends, sizes: [64, 128], scale: 8, log: (l) => console.log(l) });
  const out = path.join(process.cwd(), 'bench', 'results', 'refvae.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

void run();
