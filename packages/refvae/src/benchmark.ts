import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '@sr/core';
import { RefVAE } from './api.js';
import { Encoder4 } from './encoder.js';
import { RefVAENet } from './cvae.js';
import type { ReferenceSpec } from './reference.js';

/** Options of {@link runBenchmark}. */
export interface RefVAEBenchmarkOptions {
  /** Backends to time (default wasm; the pure-JS cpu backend needs minutes per sample). */
  backends?: BackendName[];
  /** Square LR sizes (default 64 and 128). */
  sizes?: number[];
  /** Scale (default 8). */
  scale?: 4 | 8;
  /** Samples per configuration (default 2; GPU backends get one extra warm-up call first). */
  count?: number;
  /** Reference modes to time (default noise — a 256² VGG pass per sample — and prior). */
  references?: ('noise' | 'prior' | 'self')[];
  log?: (line: string) => void;
}

/** One timing row. */
export interface RefVAEBenchmarkRow {
  backend: string;
  /** LR side; the output side is `scale·input`. */
  input: number;
  output: number;
  reference: string;
  /** Mean seconds per sample (LR encoding amortised over `count`, as `upscale(…, {count})` runs it once). */
  secondsPerSample: number;
  /** Seconds of the whole call for `count` samples. */
  seconds: number;
  count: number;
  /** Peak `tf.memory().numBytes` seen during the call (weights included). */
  peakBytes: number;
  status: 'completed' | 'failed';
  error?: string;
}

/**
 * Times `RefVAE.upscale` with random weights (timing does not depend on the values; the real VGG
 * weights are not redistributable) for every backend × size × reference mode. Used by
 * `bench/bench.ts` and `refvae bench`.
 */
export async function runBenchmark(opts: RefVAEBenchmarkOptions = {}): Promise<{ date: string; scale: number; rows: RefVAEBenchmarkRow[] }> {
  const log = opts.log ?? (() => undefined);
  const scale = opts.scale ?? 8;
  const count = opts.count ?? 2;
  const rows: RefVAEBenchmarkRow[] = [];
  for (const backend of opts.backends ?? (['wasm'] as BackendName[])) {
    await initBackend(backend);
    const model = new RefVAE(new Encoder4().eval(), new RefVAENet(scale).eval());
    try {
      for (const size of opts.sizes ?? [64, 128]) {
        const img = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        for (const reference of opts.references ?? (['noise', 'prior'] as const)) {
          const row: RefVAEBenchmarkRow = { backend, input: size, output: size * scale, reference, secondsPerSample: NaN, seconds: NaN, count, peakBytes: 0, status: 'failed' };
          try {
            const run = async (n: number) => (await model.upscale(img, { reference: reference as ReferenceSpec, count: n, seed: 0 })).forEach((r) => r.dispose());
            if (backend === 'webgpu' || backend === 'webgl') await run(1); // warm-up: shader compilation
            const t0 = performance.now();
            let peak = 0;
            const prof = await tf.profile(async () => {
              await run(count);
            });
            peak = prof.peakBytes;
            row.seconds = (performance.now() - t0) / 1000;
            row.secondsPerSample = row.seconds / count;
            row.peakBytes = peak;
            row.status = 'completed';
          } catch (e) {
            row.error = e instanceof Error ? e.message : String(e);
          }
          rows.push(row);
          log(`${backend} ${size}²→${size * scale}² ${reference}: ${row.status === 'completed' ? `${row.secondsPerSample.toFixed(2)} s/sample, peak ${(row.peakBytes / 2 ** 20).toFixed(0)} MiB` : row.error}`);
        }
        img.dispose();
      }
    } finally {
      model.dispose();
    }
  }
  return { date: new Date().toISOString(), scale, rows };
}
