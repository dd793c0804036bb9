import * as tf from '@tensorflow/tfjs-core';
import { AbortError, initBackend, peakTensorBytes, type BackendName } from '@sr/core';
import { createUpscaler, type CreateUpscalerOptions } from './upscaler.js';

/** Options of {@link runBenchmark}. */
export interface BenchmarkOptions {
  backends?: BackendName[];
  /** Square LR input sizes (default 128 and 512). */
  sizes?: number[];
  /** Scales (default 2, 4, 8). */
  scales?: number[];
  /** Upscaler options (weights default to random: timing does not depend on the values). */
  upscaler?: CreateUpscalerOptions;
  tile?: number;
  /** HR queries per decode step (default: `defaultChunkSize()` of each backend). */
  chunkSize?: number;
  /**
   * Wall-clock budget per configuration in seconds (default 60). A run projected to exceed it (from
   * its decode rate) is aborted and reported with its projected time and the peak memory reached,
   * which is already the steady-state peak: memory is bounded by one tile.
   */
  budgetSeconds?: number;
  /** Receives each finished row as one JSON line (for progress output); silent by default. */
  log?: (line: string) => void;
}

/** One benchmark row. */
export interface BenchmarkRow {
  backend: string;
  input: number;
  scale: number;
  output: number;
  status: 'completed' | 'aborted-over-budget' | 'failed';
  seconds: number;
  /** Projected total seconds when aborted (decode rate extrapolated). */
  projectedSeconds?: number;
  /** HR pixels decoded before stopping. */
  decodedPixels: number;
  /** Peak `tf.memory().numBytes` during the run (bytes; includes the model weights). */
  peakBytes: number;
  /** `tf.memory().numBytes` before the run (weights + input). */
  baselineBytes: number;
  error?: string;
}

/**
 * Times `upscale` and measures its peak tfjs memory (core's `peakTensorBytes`, sampled after every kernel) for every
 * backend × size × scale, on a synthetic image. Used by `bench/bench.ts` and `ciaosr bench`.
 */
export async function runBenchmark(opts: BenchmarkOptions = {}): Promise<{ date: string; tile: number; chunkSize: number | 'default'; rows: BenchmarkRow[] }> {
  const log = opts.log ?? (() => undefined);
  const budget = (opts.budgetSeconds ?? 60) * 1000;
  const tile = opts.tile ?? 64;
  const rows: BenchmarkRow[] = [];
  for (const backend of opts.backends ?? (['wasm', 'cpu'] as BackendName[])) {
    await initBackend(backend);
    const sr = await createUpscaler({ weights: 'random', ...opts.upscaler });
    try {
      for (const size of opts.sizes ?? [128, 512]) {
        const img = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.randomUniform([size, size, 3], 0, 1, 'float32', 1), 0.5), 0.25), 0, 1));
        for (const scale of opts.scales ?? [2, 4, 8]) {
          const ac = new AbortController();
          const t0 = Date.now();
          let decoded = 0;
          let total = 0;
          let projected: number | undefined;
          // Projection = elapsed + remaining pixels at the decode rate seen since the first decoded chunk
          // + remaining tiles at the mean tile set-up time (encoder + non-local attention).
          let firstDecodeAt = 0;
          let firstDecoded = 0;
          let setupMs = 0;
          let setupStart = t0;
          let tilesDone = 0;
          let tilesTotal = 1;
          const row: BenchmarkRow = { backend: tf.getBackend(), input: size, scale, output: Math.round(size * scale), status: 'completed', seconds: 0, decodedPixels: 0, peakBytes: 0, baselineBytes: tf.memory().numBytes };
          // Peak memory: core's peakTensorBytes samples the engine after every kernel. Not tf.profile:
          // it ends with Math.max(...snapshots) over every kernel call, which overflows the call stack
          // on long runs (a 2048² output is ~10⁵ kernels: it threw after the upscale had finished).
          // An aborted run throws out of peakTensorBytes; it keeps the peak seen between chunks.
          let seenPeak = 0;
          try {
            const peak = await peakTensorBytes(async () => {
              const out = await sr.upscale(img, {
                scale,
                tile,
                chunkSize: opts.chunkSize,
                signal: ac.signal,
                onProgress: (p) => {
                  seenPeak = Math.max(seenPeak, tf.memory().numBytes);
                  tilesTotal = p.tiles;
                  if (p.stage === 'encode') {
                    setupStart = Date.now();
                    return;
                  }
                  if (setupStart) {
                    setupMs += Date.now() - setupStart;
                    setupStart = 0;
                    tilesDone++;
                  }
                  decoded = p.done;
                  total = p.total;
                  const now = Date.now();
                  if (!firstDecodeAt) {
                    firstDecodeAt = now;
                    firstDecoded = decoded;
                    return;
                  }
                  const perPixel = (now - firstDecodeAt - (setupMs - setupMs / tilesDone)) / Math.max(1, decoded - firstDecoded);
                  projected = now - t0 + (total - decoded) * Math.max(0, perPixel) + (tilesTotal - tilesDone) * (setupMs / tilesDone);
                  if (now - t0 > budget) ac.abort();
                },
              });
              out.dispose();
            });
            row.peakBytes = row.baselineBytes + (peak ?? Math.max(0, seenPeak - row.baselineBytes));
          } catch (e) {
            if (e instanceof AbortError) {
              row.status = 'aborted-over-budget';
              row.projectedSeconds = (projected ?? 0) / 1000;
            } else {
              row.status = 'failed';
              row.error = (e as Error).message;
            }
          }
          row.seconds = (Date.now() - t0) / 1000;
          row.decodedPixels = row.status === 'completed' ? row.output * row.output : decoded;
          if (row.peakBytes === 0) row.peakBytes = seenPeak; // aborted: the peak seen so far (steady state after one tile)
          rows.push(row);
          log(JSON.stringify(row));
        }
        img.dispose();
      }
    } finally {
      sr.dispose();
    }
  }
  return { date: new Date().toISOString(), tile, chunkSize: opts.chunkSize ?? 'default', rows };
}
