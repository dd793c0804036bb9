/**
 * Benchmark: time per megapixel of each metric (CPU backend by default). Compiled with the package:
 * `npm run build -w @sr/metrics && node packages/metrics/dist/bench/metrics-bench.js [--backend cpu]
 * [--size 256] [--weights ../shared/weights] [--out packages/metrics/bench/results/metrics.json]`.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imresize, imresizeUint8Passes, initBackend, type BackendName } from '@sr/core';
import { createLpips } from '../lpips/lpips.js';
import { lrPsnrPixels } from '../ntire.js';
import { psnrPixels } from '../psnr.js';
import { ssimPixels } from '../ssim.js';
import type { Pixels } from '../input.js';

/** One benchmark line. */
export interface BenchRow {
  metric: string;
  size: string;
  msPerImage: number;
  msPerMegapixel: number;
  repeats: number;
}

function image(h: number, w: number, seed: number): Pixels {
  const data = new Float64Array(h * w * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 16) % 256;
  }
  return { data, height: h, width: w, channels: 3 };
}

async function time(fn: () => unknown | Promise<unknown>, minMs = 500, maxRepeats = 20): Promise<[number, number]> {
  await fn(); // warm-up (kernel compilation, JIT)
  const t0 = performance.now();
  let n = 0;
  while (n < maxRepeats && (n === 0 || performance.now() - t0 < minMs)) {
    await fn();
    n++;
  }
  return [(performance.now() - t0) / n, n];
}

/** `shared/weights` beside the repository: searched upwards from the working directory. */
function findSharedWeights(): string {
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    for (const c of [path.join(d, 'shared', 'weights'), path.join(path.dirname(d), 'shared', 'weights')]) if (existsSync(c)) return c;
    if (path.dirname(d) === d) return path.resolve('..', 'shared', 'weights');
  }
}

/** Runs the benchmark; returns the rows and writes them as JSON to `out` when given. */
export async function runMetricsBench(opts: { backend?: BackendName; size?: number; weights?: string; out?: string } = {}): Promise<BenchRow[]> {
  const report = await initBackend(opts.backend ?? 'cpu');
  const size = opts.size ?? 256;
  const a = image(size, size, 1);
  const b = image(size, size, 2);
  const mp = (size * size) / 1e6;
  const rows: BenchRow[] = [];
  const add = async (metric: string, fn: () => unknown) => {
    const [ms, repeats] = await time(fn);
    rows.push({ metric, size: `${size}x${size}`, msPerImage: ms, msPerMegapixel: ms / mp, repeats });
  };
  await add('psnr (RGB)', () => psnrPixels(a, b));
  await add('psnr (Y, crop 4)', () => psnrPixels(a, b, { yChannel: true, cropBorder: 4 }));
  await add('ssim (RGB)', () => ssimPixels(a, b));
  await add('ssim (Y, crop 4)', () => ssimPixels(a, b, { yChannel: true, cropBorder: 4 }));
  await add('imresize ×1/4 (plain JS, uint8 per pass)', () => imresizeUint8Passes(a, 0.25));
  await add('lrPsnr ×4 (NTIRE)', () => lrPsnrPixels(a, b, 4, { reference: 'gt' }));
  const x = tf.tensor4d(Float32Array.from(a.data, (v) => v / 255), [1, size, size, 3]);
  await add(`imresize ×1/4 (tfjs ${tf.getBackend()})`, async () => {
    const y = imresize(x, 0.25);
    await y.data();
    y.dispose();
  });
  x.dispose();
  const w = opts.weights ?? findSharedWeights();
  for (const net of ['alex', 'squeeze'] as const) {
    const backbone = path.join(w, 'torchvision', net === 'alex' ? 'alexnet-features.pth' : 'squeezenet1_1-features.pth');
    const lin = path.join(w, 'lpips', 'v0.1', `${net}.pth`);
    if (!existsSync(backbone) || !existsSync(lin)) {
      console.warn(`skipping LPIPS-${net}: weights not found under ${w} (pass --weights)`);
      continue;
    }
    const m = await createLpips({ net, backboneWeights: backbone, linWeights: lin });
    const ia = { width: size, height: size, channels: 3 as const, bitDepth: 8 as const, data: Uint8Array.from(a.data) };
    const ib = { ...ia, data: Uint8Array.from(b.data) };
    await add(`lpips-${net} (tfjs ${tf.getBackend()})`, () => m.distance(ia, ib));
    await add(`lpips-${net} spatial (tfjs ${tf.getBackend()})`, () => m.distance(ia, ib, { spatial: true }));
    m.dispose();
  }
  if (opts.out) {
    await mkdir(path.dirname(opts.out), { recursive: true });
    // Load average and core count: timings on a shared machine are only comparable at similar load.
    const env = { backend: report.backend, node: process.version, date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg() };
    await writeFile(opts.out, JSON.stringify({ env, rows }, null, 2) + '\n');
  }
  return rows;
}

/** CLI entry: parses `--backend`, `--size`, `--weights`, `--out`; prints a table. */
export async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rows = await runMetricsBench({
    backend: (arg('backend') as BackendName) ?? 'cpu',
    size: arg('size') ? Number(arg('size')) : undefined,
    weights: arg('weights'),
    out: arg('out') ?? path.join('bench', 'results', 'metrics.json'),
  });
  for (const r of rows) console.log(`${r.metric.padEnd(42)} ${r.size}  ${r.msPerImage.toFixed(2).padStart(10)} ms  ${r.msPerMegapixel.toFixed(1).padStart(10)} ms/MP`);
  return 0;
}

// Run when executed directly (node dist/bench/metrics-bench.js), not when imported.
if (typeof process !== 'undefined' && process.argv[1] && /metrics-bench\.[cm]?js$/.test(process.argv[1]))
  main(process.argv.slice(2)).then((c) => (process.exitCode = c), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
