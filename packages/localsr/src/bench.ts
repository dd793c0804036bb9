/**
 * Benchmark: time and FLOPs of CLSR vs pre-cropping vs post-cropping for 24² and 48² ROIs in 256²
 * and 1024² images (EDSR-baseline ×4: 16 blocks, 64 channels; random weights — cost does not depend
 * on them). Writes bench/results/localsr.json. Run: `npm run build -w @sr/localsr && node
 * packages/localsr/dist/bench-run.js [--backend wasm] [--quick] [--out file]`.
 * - "ours, one ROI" = prepare (PIM features of the whole image + GCM memory) + one region: the cost
 *   of a single ROI from scratch; "ours, per extra ROI" = one more region on a prepared image.
 * - Post-cropping SRs the whole image (tiled 128² with receptive-field overlap so it fits memory);
 *   `--quick` extrapolates its 1024² time from 256² (×16, conv cost is linear in pixels) instead of
 *   measuring it. FLOPs: convolutions, transposed convolutions, linears and the GCM attention matmuls
 *   (2 per MAC); post-crop FLOPs are those of the untiled network.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { countFlopsDuring, initBackend, type BackendName } from '@sr/core';
import { CLSR, disposeContext } from './clsr.js';
import { postCrop, preCrop } from './baselines.js';
import type { Roi } from './roi.js';

/** One measured configuration. */
export interface BenchRow {
  image: number;
  roi: number;
  method: 'ours (one ROI: prepare + region)' | 'ours (per extra ROI)' | 'ours (prepare only)' | 'pre-crop' | 'post-crop';
  ms: number;
  gflops: number;
  measured: boolean;
}

async function timeIt(fn: () => Promise<tf.Tensor | void> | tf.Tensor | void, reps: number): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const out = await fn();
    if (out) {
      await out.data();
      out.dispose();
    }
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

function image(size: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1), 0.5), 0.25), 0, 1) as tf.Tensor4D);
}

/** CLI entry point. */
export async function main(argv: string[]): Promise<number> {
  const arg = (k: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const report = await initBackend((arg('--backend') ?? 'wasm') as BackendName);
  const log = (s: string) => process.stderr.write(s + '\n');
  log(`backend: ${report.summary}`);
  const model = new CLSR({ backbone: 'edsr' });
  const rows: BenchRow[] = [];
  const postBySize = new Map<number, { ms: number; gflops: number; measured: boolean }>();
  for (const size of [256, 1024]) {
    const x = image(size);
    // Post-cropping: the whole image once (independent of the ROI size).
    const roi0: Roi = { x: 0, y: 0, width: 8, height: 8 };
    if (size === 256) {
      const { flops } = await countFlopsDuring(async () => (await postCrop(model.base, x, roi0)).dispose());
      const ms = await timeIt(() => postCrop(model.base, x, roi0, { tile: 128 }), 1);
      postBySize.set(size, { ms, gflops: flops / 1e9, measured: true });
    } else {
      const small = postBySize.get(256);
      if (!small) throw new Error('256² post-crop must run first');
      const gflops = small.gflops * (size / 256) ** 2;
      const ms = quick ? small.ms * (size / 256) ** 2 : await timeIt(() => postCrop(model.base, x, roi0, { tile: 128 }), 1);
      postBySize.set(size, { ms, gflops, measured: !quick });
    }
    const post = postBySize.get(size)!;
    log(`${size}²: post-crop ${(post.ms / 1000).toFixed(1)} s, ${post.gflops.toFixed(1)} GFLOPs${post.measured ? '' : ' (extrapolated)'}`);
    // Ours: prepare once.
    const prep = await countFlopsDuring(() => model.prepare(x));
    disposeContext(prep.value);
    const prepMs = await timeIt(async () => {
      const c = model.prepare(x);
      await Promise.all(c.pimFeatures.map((p) => p.data()));
      if (c.memory) await c.memory.keys.data();
      disposeContext(c);
    }, 2);
    const cache = model.prepare(x);
    for (const r of [24, 48]) {
      const roi: Roi = { x: Math.floor((size - r) / 2), y: Math.floor((size - r) / 2), width: r, height: r };
      const reg = await countFlopsDuring(() => model.forwardRegion(cache, roi));
      reg.value.dispose();
      const regMs = await timeIt(() => model.forwardRegion(cache, roi), 3);
      const pc = await countFlopsDuring(() => preCrop(model.base, x, roi, model.padding));
      pc.value.dispose();
      const pcMs = await timeIt(() => preCrop(model.base, x, roi, model.padding), 3);
      rows.push(
        { image: size, roi: r, method: 'ours (one ROI: prepare + region)', ms: prepMs + regMs, gflops: (prep.flops + reg.flops) / 1e9, measured: true },
        { image: size, roi: r, method: 'ours (per extra ROI)', ms: regMs, gflops: reg.flops / 1e9, measured: true },
        { image: size, roi: r, method: 'ours (prepare only)', ms: prepMs, gflops: prep.flops / 1e9, measured: true },
        { image: size, roi: r, method: 'pre-crop', ms: pcMs, gflops: pc.flops / 1e9, measured: true },
        { image: size, roi: r, method: 'post-crop', ms: post.ms, gflops: post.gflops, measured: post.measured },
      );
      log(`${size}² ROI ${r}²: ours ${((prepMs + regMs) / 1000).toFixed(2)} s (${(((prepMs + regMs) / post.ms) * 100).toFixed(2)} % of post-crop), extra ROI ${regMs.toFixed(0)} ms, pre-crop ${pcMs.toFixed(0)} ms`);
    }
    disposeContext(cache);
    x.dispose();
  }
  const ratio = (size: number, r: number) => {
    const ours = rows.find((w) => w.image === size && w.roi === r && w.method.startsWith('ours (one'))!;
    const post = rows.find((w) => w.image === size && w.roi === r && w.method === 'post-crop')!;
    return { timePercent: (100 * ours.ms) / post.ms, flopsPercent: (100 * ours.gflops) / post.gflops };
  };
  const out = {
    backend: report.summary,
    model: 'CLSR on EDSR-baseline ×4 (16 blocks, 64 ch); PIM c′ = 6; GCM N = 256, r = 6; padding 8',
    date: new Date().toISOString(),
    rows,
    target: { '48² ROI in 1024² image, ours (one ROI) vs post-crop': ratio(1024, 48), '24² ROI in 1024²': ratio(1024, 24), '48² ROI in 256²': ratio(256, 48) },
  };
  const file = arg('--out') ?? path.join(process.cwd(), 'packages', 'localsr', 'bench', 'results', 'localsr.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  log(JSON.stringify(out.target, null, 2));
  model.dispose();
  return 0;
}
