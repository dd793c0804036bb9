#!/usr/bin/env node
// Implicit-decoder benchmark (issue #12): LIIF (EDSR-baseline) and CiaoSR (EDSR-baseline) ×s of an
// n² input on one backend, against the official PyTorch 1.13 CPU times (2 threads) measured on this
// kind of 2-core machine, as issue #21 reports them (LIIF ×4 128²: 9.1–9.8 s; CiaoSR ×4 64²:
// 7.3–7.9 s; the midpoints are used). PyTorch is not installed here, so they are not re-measured in
// the same run. Needs `npm run build` first.
//
//   node scripts/bench-decoders.mjs [--root DIR] [--label after] [--size 128] [--scale 4] [--runs 1]
//                                   [--backend wasm] [--threads 2] [--models liif,ciaosr] [--out FILE]
//
// `--root` points at another checkout (e.g. a `git worktree` of an older commit, built) to time its
// code with this same script: that is how the before/after figures in bench/results/decoders.json
// were made. Weights are random (time does not depend on values). FLOPs are counted analytically for
// two algorithms: "model" = the official computation (first MLP layer per query and neighbour, as
// liif.py / ciaosr's query_rgb do), "executed" = what runs here (first layer once per LR pixel); the
// GFLOP/s columns divide each by our time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: {
    root: { type: 'string', default: here },
    label: { type: 'string', default: 'current' },
    size: { type: 'string', default: '128' },
    scale: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '2' },
    models: { type: 'string', default: 'liif,ciaosr' },
    tile: { type: 'string', default: '64' },
    out: { type: 'string', default: path.join(here, 'bench/results/decoders.json') },
  },
});
const root = path.resolve(o.root);
const req = createRequire(path.join(root, 'package.json'));
const load = (spec) => import(pathToFileURL(req.resolve(spec)).href);
const tf = await load('@tensorflow/tfjs-core');
const core = await load('@sr/core');
const ciaosr = await load('@sr/ciaosr');

const n = Number(o.size);
const s = Number(o.scale);
const runs = Number(o.runs);
const N = n * n; // LR pixels
const Q = Math.round(n * s) ** 2; // queries
const OFFICIAL_S = { liif: { 4: { 128: 9.45 } }, ciaosr: { 4: { 64: 7.6 } } };

// Multiply-adds. EDSR-baseline encoder per LR pixel: conv_first 3→64, 16 blocks × 2 convs + conv_after_body 64→64, all 3×3.
const edsrMacs = N * 9 * (3 * 64 + 33 * 64 * 64);
const mlpRest = (hidden, out) => hidden.slice(1).reduce((a, h, i) => a + hidden[i] * h, 0) + hidden[hidden.length - 1] * out;
function liifMacs() {
  const hid = [256, 256, 256, 256];
  const rest = mlpRest(hid, 3);
  return {
    model: edsrMacs + Q * 4 * (580 * 256 + rest),
    executed: edsrMacs + N * 576 * 256 + Q * 4 * (4 * 256 + rest),
  };
}
function ciaosrMacs(tile) {
  const C = 64;
  const u = 9 * C;
  const hid = [256, 256, 256, 256];
  // Non-local attention per window of w² pixels (tiles: core + margin 16, clipped to the image); the
  // executed code scores only the queries that reach the core (core + 3 px each side, see
  // CrossScaleAttention.forwardRegion), the official code all of the window's.
  const windows = [];
  if (!Number.isFinite(tile) || tile >= n) windows.push({ hw: n * n, q: n * n, core: n * n });
  else for (let y = 0; y < n; y += tile) for (let x = 0; x < n; x += tile) {
    const hh = Math.min(n, y + tile + 16) - Math.max(0, y - 16);
    const ww = Math.min(n, x + tile + 16) - Math.max(0, x - 16);
    const ch = Math.min(n, y + tile) - y;
    const cw = Math.min(n, x + tile) - x;
    windows.push({ hw: hh * ww, q: Math.min(hh, ch + 6) * Math.min(ww, cw + 6), core: (Math.min(n, y + tile + 1) - Math.max(0, y - 1)) * (Math.min(n, x + tile + 1) - Math.max(0, x - 1)) });
  }
  // Per (query, key) pair: the score (9·C/2) and the paste — officially a transposed convolution (36·C)
  // then `down` (3×3 conv on the map), executed here folded into one operator (16·C per pair, plus the
  // per-key kernel: 16 offsets × 9·C·C per key; see packages/ciaosr/src/attention-paste.ts).
  const csa = (queries, folded) =>
    windows.reduce(
      (a, w) =>
        a + w.hw * (C * 32 + C * C) + (w.hw / 4) * C * 32 +
        queries(w) * (w.hw / 4) * (9 * 32 + (folded ? 16 : 36) * C) +
        (folded ? (w.hw / 4) * 16 * 9 * C * C : w.hw * 9 * C * C),
      0,
    );
  const perQueryRest = 4 * (4 * 256 + mlpRest(hid, u)) + 4 * (4 * 256 + mlpRest(hid, u + C)) + (u + C) * 256 + mlpRest(hid, 3);
  const firstPerQuery = 4 * (u * 256) + 4 * ((u + C) * 256); // applied per query and neighbour officially
  // Logit tables (from 3 queries per LR pixel): imnet_k's last layer (256 × 9C per query and
  // neighbour) becomes a 256-long dot product; the tables cost 9 rows of it per map pixel.
  const maps = windows.reduce((a, w) => a + w.core, 0);
  const tables = Q >= 3 * N;
  const kLast = 4 * 256 * u;
  const executedPerQuery = tables ? perQueryRest - kLast + 4 * 256 : perQueryRest;
  return {
    model: edsrMacs + csa((w) => w.hw, false) + Q * (perQueryRest + firstPerQuery),
    executed: edsrMacs + csa((w) => w.q, true) + maps * (u + u + C) * 256 + (tables ? maps * 9 * u * 257 : 0) + Q * executedPerQuery,
  };
}

const report = await core.initBackend(o.backend, { wasmThreads: Number(o.threads) });
const image = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.randomUniform([n, n, 3], 0, 1, 'float32', 1), 0.5), 0.25), 0, 1));
const rows = [];
for (const name of o.models.split(',')) {
  let run;
  let dispose;
  let flops;
  if (name === 'liif') {
    const model = core.createImplicitModel({
      name: 'liif',
      args: { encoder_spec: { name: 'edsr-baseline', args: { no_upsampling: true } }, imnet_spec: { name: 'mlp', args: { out_dim: 3, hidden_list: [256, 256, 256, 256] } } },
    });
    run = async (img) => {
      const out = model.upscale(tf.expandDims(img, 0), s, { chunkSize: 30000 });
      await out.data();
      out.dispose();
    };
    dispose = () => model.dispose();
    flops = liifMacs();
  } else {
    const sr = await ciaosr.createUpscaler({ weights: 'random' });
    const tile = o.tile === 'Infinity' ? Infinity : Number(o.tile);
    run = async (img) => (await sr.upscale(img, { scale: s, tile })).dispose(); // default chunk (512 on wasm)
    dispose = () => sr.dispose();
    flops = ciaosrMacs(tile);
  }
  // Warm-up on a small input (kernel set-up, heap growth), then the timed runs.
  const small = tf.slice(image, [0, 0, 0], [Math.min(n, 24), Math.min(n, 24), 3]);
  await run(small);
  small.dispose();
  const times = [];
  let peak = 0;
  for (let r = 0; r < runs; r++) {
    const before = tf.memory().numBytes;
    const t0 = performance.now();
    const prof = await tf.profile(() => run(image));
    times.push((performance.now() - t0) / 1000);
    peak = Math.max(peak, prof.peakBytes - before);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const official = OFFICIAL_S[name]?.[s]?.[n];
  const row = {
    label: o.label,
    model: name === 'liif' ? 'LIIF (EDSR-baseline, imnet 4×256)' : `CiaoSR (EDSR-baseline, tile ${o.tile})`,
    backend: report.summary ?? o.backend,
    input: n,
    scale: s,
    runs,
    medianS: median,
    minS: times[0],
    maxS: times[times.length - 1],
    modelGflop: (2 * flops.model) / 1e9,
    // The executed-FLOP formulas describe this checkout's code: not another checkout's (--root).
    executedGflop: root === here ? (2 * flops.executed) / 1e9 : null,
    modelGflops: (2 * flops.model) / 1e9 / median,
    executedGflops: root === here ? (2 * flops.executed) / 1e9 / median : null,
    peakMiB: peak / 2 ** 20,
    officialPytorchCpuS: official ?? null,
    machine: `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, node ${process.version}`,
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(row));
  rows.push(row);
  dispose();
}
image.dispose();

const prev = fs.existsSync(o.out) ? JSON.parse(fs.readFileSync(o.out, 'utf8')) : { rows: [] };
const keep = prev.rows.filter((r) => !rows.some((x) => x.label === r.label && x.model.split(' ')[0] === r.model.split(' ')[0] && x.input === r.input && x.scale === r.scale && x.backend === r.backend));
const all = [...keep, ...rows];
fs.mkdirSync(path.dirname(o.out), { recursive: true });
fs.writeFileSync(o.out, JSON.stringify({ note: 'scripts/bench-decoders.mjs; official = PyTorch 1.13 CPU on the same kind of 2-core machine (issue #12)', rows: all }, null, 2) + '\n');
const f = (x, d = 1) => (x == null ? '—' : x.toFixed(d));
const md = [
  '| code | model | backend | input | scale | median s | runs | official PyTorch s | model GFLOP | executed GFLOP | GFLOP/s (executed) | peak MiB |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...all.map((r) => `| ${r.label} | ${r.model} | ${r.backend} | ${r.input}² | ×${r.scale} | ${f(r.medianS)} | ${r.runs} | ${f(r.officialPytorchCpuS)} | ${f(r.modelGflop, 0)} | ${f(r.executedGflop, 0)} | ${f(r.executedGflops)} | ${f(r.peakMiB, 0)} |`),
].join('\n');
fs.writeFileSync(o.out.replace(/\.json$/, '.md'), md + '\n');
console.log(md);
process.exit(0);
