/**
 * Benchmark: time and peak tfjs memory of CiaoSR (EDSR-baseline, random weights) at ×2/×4/×8 on 128²
 * and 512² inputs, per backend; writes bench/results/ciaosr.json. The same code runs as
 * `ciaosr bench` from the built package (no tsx needed):
 *   node packages/ciaosr/bin/ciaosr.js bench --backends wasm,cpu --budget 60
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runBenchmark } from '../src/benchmark.js';

async function run(): Promise<void> {
  const result = await runBenchmark({ backends: ['wasm', 'cpu'], budgetSeconds: Number(process.env.BENCH_BUDGET ?? 60), log: (l) => console.log(l) });
  const out = path.join(process.cwd(), 'bench', 'results', 'ciaosr.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(`wrote ${out}`);
}

void run();
