/**
 * Sampling-time benchmark (compiled with the package: `node dist/bench-run.js [--quick]
 * [--backend wasm] [--out bench/results/lar-sr.json]`; `bench/bench.ts` calls the same function).
 *
 * Measures, with random weights of the official widths (C = 64, K = 1024, 10 LAR layers):
 * - time vs patch size s = 1…4 at a fixed image size (the number of sequential passes is s²);
 * - time vs image size at s = 4 (paper §4.4: cost depends on s², not on the image size — true of
 *   the number of sequential steps; wall time per step is flat only while the device has spare
 *   parallelism, which a CPU backend does not).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@sr/core';
import { LocalAR, larSizeMultiple, type LarVariant } from './local-ar.js';
import { sampleIndices } from './sampler.js';
import { TexVQVAE } from './vqvae.js';

/** One measured configuration. */
export interface BenchRow {
  variant: LarVariant;
  patchSize: number;
  /** x_c height = width (HR pixels). */
  size: number;
  /** Sequential sampling passes (s²). */
  steps: number;
  /** Patches sampled in parallel per step. */
  patches: number;
  /** Median seconds: condition + s² steps (index map only). */
  sampleSeconds: number;
  /** Median seconds of the once-per-image conditioning (U-Net enc1, init_conv). */
  conditionSeconds: number;
  /** Median seconds per sequential step, `(sample − condition) / s²`. */
  secondsPerStep: number;
  /** Median seconds of the codebook lookup + decoder. */
  decodeSeconds: number;
}

/** Options of {@link runBenchmark}. */
export interface BenchOptions {
  backend?: BackendName;
  /** Smaller sizes and one repeat (CI smoke run). */
  quick?: boolean;
  repeats?: number;
  /** Width/codebook/layers (default official: 64 / 1024 / 10 LAR layers, 8 for LAR-attn). */
  channel?: number;
  nEmbed?: number;
  log?: (line: string) => void;
}

async function timeIt(fn: () => Promise<void>, repeats: number): Promise<number> {
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)]!;
}

async function measure(variant: LarVariant, s: number, size: number, vq: TexVQVAE, o: Required<Pick<BenchOptions, 'channel' | 'nEmbed'>>, repeats: number): Promise<BenchRow> {
  const lar = new LocalAR({ variant, patchSize: s, channel: o.channel, nEmbed: o.nEmbed });
  const xc = tf.randomUniform([1, size, size, 3]) as tf.Tensor4D;
  let ids: tf.Tensor3D | null = null;
  try {
    // Warm-up (kernel/shader setup) of every timed path.
    await sampleIndices(lar, xc, { seed: 0 }).then((t) => t.dispose());
    const warm = vq.decodeCode(xc, tf.zeros([1, size / 2, size / 2], 'int32'));
    await warm.data();
    tf.dispose(warm);
    const conditionSeconds = await timeIt(async () => {
      const c = lar.condition(xc);
      await c.init.data();
      tf.dispose([c.init, c.srEncoded, c.srFeature]);
    }, repeats);
    const sampleSeconds = await timeIt(async () => {
      ids?.dispose();
      ids = await sampleIndices(lar, xc, { seed: 1 });
    }, repeats);
    const decodeSeconds = await timeIt(async () => {
      const y = vq.decodeCode(xc, ids!);
      await y.data();
      y.dispose();
    }, repeats);
    const grid = size / 2 / s;
    return { variant, patchSize: s, size, steps: s * s, patches: grid * grid, sampleSeconds, conditionSeconds, secondsPerStep: Math.max(0, sampleSeconds - conditionSeconds) / (s * s), decodeSeconds };
  } finally {
    (ids as tf.Tensor3D | null)?.dispose();
    xc.dispose();
    lar.dispose();
  }
}

/** Runs both sweeps and returns the report (also what `main` writes as JSON). */
export async function runBenchmark(opts: BenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const report = await initBackend(opts.backend ?? 'wasm');
  const o = { channel: opts.channel ?? 64, nEmbed: opts.nEmbed ?? 1024 };
  const repeats = opts.repeats ?? (opts.quick ? 1 : 3);
  const vq = new TexVQVAE({ nEmbed: o.nEmbed });
  const byPatch: BenchRow[] = [];
  const bySize: BenchRow[] = [];
  try {
    const fixed = opts.quick ? 48 : 96; // a multiple of 48, so that s = 3 needs no padding
    for (const s of [1, 2, 3, 4]) {
      const row = await measure('lar', s, Math.ceil(fixed / larSizeMultiple(s)) * larSizeMultiple(s), vq, o, repeats);
      byPatch.push(row);
      log(`lar s=${s} size=${row.size}: ${row.sampleSeconds.toFixed(2)} s = condition ${row.conditionSeconds.toFixed(2)} s + ${row.steps} steps × ${row.secondsPerStep.toFixed(3)} s; decode ${row.decodeSeconds.toFixed(2)} s`);
    }
    for (const variant of ['lar', 'lar-attn'] as const)
      for (const size of opts.quick ? [32, 64] : [64, 128, 256]) {
        const row = await measure(variant, 4, size, vq, o, repeats);
        bySize.push(row);
        log(`${variant} s=4 size=${size}: ${row.sampleSeconds.toFixed(2)} s = condition ${row.conditionSeconds.toFixed(2)} s + 16 steps × ${row.secondsPerStep.toFixed(3)} s (${row.patches} patches/step)`);
      }
  } finally {
    vq.dispose();
  }
  return {
    date: new Date().toISOString(),
    backend: report.summary,
    machine: `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()}`,
    config: { channel: o.channel, nEmbed: o.nEmbed, larBlocks: 10, larAttnBlocks: 8, repeats, weights: 'random (official widths)' },
    note: 'sampleSeconds = conditionSeconds (U-Net enc1, init_conv; once per image) + s² sequential passes; secondsPerStep = (sampleSeconds − conditionSeconds) / s². Sampling is incremental (causal layers: each step computes only the new position), so one full sampling costs about one teacher-forced pass plus s² small head evaluations.',
    byPatch,
    bySize,
  };
}

/** CLI entry: `[--quick] [--backend name] [--out file]` (run by `dist/bench-run.js`). */
export async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const result = await runBenchmark({ quick: argv.includes('--quick'), backend: (arg('--backend') as BackendName | undefined) ?? 'wasm' });
  const out = arg('--out') ?? path.join('bench', 'results', 'lar-sr.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
  return 0;
}
