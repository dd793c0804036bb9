/**
 * Benchmark of @sr/vspsr: time per sample (full-size model, random weights) and LR-PSNR of CEM outputs
 * with the MATLAB vs the official OpenCV kernel on Set5. Writes bench/results/vspsr.json. The same
 * code runs from the built package without tsx:
 *   node packages/vspsr/bin/vspsr.js bench -o packages/vspsr/bench/results/vspsr.json [--backend wasm]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBenchmark } from '../src/benchmark.js';

async function run(): Promise<void> {
  const result = await runBenchmark({ backend: (process.env.BENCH_BACKEND as 'wasm' | undefined) ?? 'auto', log: (l) => console.log(l) });
  const out = path.join(process.cwd(), 'bench', 'results', 'vspsr.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(`wrote ${out}`);
}

void run();
