import { isNode } from '../platform/env.js';
import { nodeFs, nodePath } from '../platform/node-platform.js';
import type { BenchRecord } from './run-benchmark.js';

/** PyTorch 1.13 on the reference 2-core CPU: 3×3 conv 64→64 on 128² in 6.3 ms (tfjs-runtime.md). */
export const PYTORCH_CPU_REFERENCE_GFLOPS = 191;

const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
const fmtBytes = (b: number | null): string => (b == null ? '–' : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

/**
 * A Markdown table of benchmark records (for a package README): one row per record with the
 * median time, GFLOP/s and its share of the {@link PYTORCH_CPU_REFERENCE_GFLOPS} reference, and peak
 * tensor memory; the machine is printed once above the table.
 */
export function benchMarkdown(title: string, records: BenchRecord[]): string {
  const m = records[0]?.machine;
  const lines = [
    `## ${title}`,
    '',
    m ? `Machine: ${m.cpuModel} (${m.cores} logical CPUs), ${m.runtime}, ${m.os}, tfjs ${m.tfjs}.` : '',
    `GFLOP/s count 2 FLOPs per multiply-add of the conv/linear layers; "vs PyTorch" is against ${PYTORCH_CPU_REFERENCE_GFLOPS} GFLOP/s (PyTorch 1.13 CPU, 3×3 conv 64→64 on 128², same kind of 2-core machine).`,
    '',
    '| benchmark | backend | model | input | scale | median | min | max | runs | GFLOP/s | vs PyTorch | peak memory |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of records) {
    const backend = r.backendDetail ? `${r.backend} (${r.backendDetail})` : r.backend;
    const gf = r.gflops == null ? '–' : r.gflops.toFixed(2);
    const vs = r.gflops == null ? '–' : `${((100 * r.gflops) / PYTORCH_CPU_REFERENCE_GFLOPS).toFixed(1)}%`;
    lines.push(
      `| ${r.name} | ${backend} | ${r.model} | ${r.inputSize.join('×')} | ×${r.scale} | ${fmtMs(r.medianMs)} | ${fmtMs(r.minMs)} | ${fmtMs(r.maxMs)} | ${r.runs} | ${gf} | ${vs} | ${fmtBytes(r.peakBytes)} |`,
    );
  }
  const notes = [...new Set(records.filter((r) => r.notes).map((r) => `- ${r.name}: ${r.notes}`))];
  if (notes.length) lines.push('', ...notes);
  return lines.filter((l, i) => l !== '' || i > 0).join('\n') + '\n';
}

/**
 * Writes `<dir>/<pkg>.json` (the records) and `<dir>/<pkg>.md` (a {@link benchMarkdown} table);
 * `dir` defaults to `bench/results` under the current directory (the package root when run through
 * `npm run bench`). Node only.
 * @returns the two paths written.
 */
export function writeBenchResults(pkg: string, records: BenchRecord[], dir = 'bench/results'): { json: string; markdown: string } {
  if (!isNode()) throw new Error('writeBenchResults needs Node.js (it writes files)');
  const fs = nodeFs('writeBenchResults');
  const path = nodePath('writeBenchResults');
  const out = path.resolve(dir);
  fs.mkdirSync(out, { recursive: true });
  const json = path.join(out, `${pkg}.json`);
  const markdown = path.join(out, `${pkg}.md`);
  fs.writeFileSync(json, JSON.stringify({ package: pkg, date: new Date().toISOString(), records }, null, 2) + '\n');
  fs.writeFileSync(markdown, benchMarkdown(`@sr/${pkg} benchmarks`, records));
  return { json, markdown };
}
