#!/usr/bin/env node
// `npm run bench:gpu` (issue #21 item 5): the built-in CiaoSR on WebGPU through Dawn in Node, on a
// real GPU. Records the adapter, checks the output against a reference computed on WASM (a silent
// wrong result on a driver is the first thing to rule out), then times, in one process:
//   1. the upscaler with its defaults, ×4 of 128², 256², 512² and ×2 of 1024², beside UpscalerJS
//      esrgan-thick (its whole-image `predict`, as `bench:peers` runs it) where its model is given;
//   2. one counted run: kernels by name, reads back to the CPU, FLOPs → GFLOP/s;
//   3. a tile × chunk sweep at ×4 of 256² (--sweep-size; what the WebGPU defaults should be);
// and the ×2 of 1024² (cut from --large-photo) last.
// A time is LR tensor in → output pixels on the host, model loading excluded; one warm-up, medians.
// The whole run keeps to --budget seconds (what does not fit is recorded as skipped).
//
//   node scripts/bench-gpu.mjs [--photo PNG] [--large-photo PNG] [--thick MODEL.json] [--check FILE]
//                              [--runs 3] [--budget 300] [--out FILE]
//   node scripts/bench-gpu.mjs --write-check FILE   (on WASM: the reference for --check)
//
// Dawn: Vulkan, then OpenGL ES, unless `DAWN_BACKEND` (one backend or a list) says otherwise; the
// adapter that served is recorded.
// `SR_DAWN_NODE=<dawn.node>` loads Dawn from that file instead of the `webgpu` package (a bundled run;
// scripts/bench-gpu/pack.sh packs everything for a GPU machine without Node or network).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs';
import * as core from '@sr/core';
import * as ciaosr from '@sr/ciaosr';
import { RESULTS, SHARED, machine, median, writeJson } from './bench-peers/env.mjs';
import { readArtifacts } from './bench-peers/models.mjs';

const { values: o } = parseArgs({
  options: {
    photo: { type: 'string', default: path.join(SHARED, 'datasets/photos/astronaut.png') },
    'large-photo': { type: 'string', default: path.join(SHARED, 'datasets/train/wikimedia/049.png') },
    weights: { type: 'string' },
    thick: { type: 'string' },
    check: { type: 'string' },
    'write-check': { type: 'string' },
    jobs: { type: 'string', default: '128x4,256x4,512x4,1024x2' },
    'sweep-size': { type: 'string', default: '256' },
    // tiles × chunks of the sweep ('' skips it)
    sweep: { type: 'string', default: '64,128,Infinity x 2048,8192,32768' },
    // tfjs flags to set first, e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64 (recorded)
    flags: { type: 'string', default: '' },
    runs: { type: 'string', default: '3' },
    budget: { type: 'string', default: '300' },
    out: { type: 'string', default: path.join(RESULTS, 'gpu.json') },
  },
});
const t00 = performance.now();
const elapsed = () => (performance.now() - t00) / 1000;
const left = () => Number(o.budget) - elapsed();
const log = (...a) => console.log(`[${elapsed().toFixed(0)} s]`, ...a);

/** Centre `size`² crop of an image as a [1,size,size,3] tensor in [0,1]. */
function crop(img, size) {
  if (img.width < size || img.height < size) throw new Error(`photo ${img.width}×${img.height} is smaller than ${size}²`);
  const y0 = (img.height - size) >> 1;
  const x0 = (img.width - size) >> 1;
  return tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, y0, x0, 0], [1, size, size, 3]));
}

const CHECK = { size: 48, scale: 4 };

/** Memory-plan warnings (a tile or chunk reduced to fit the backend's buffer limits), recorded once each. */
const warnings = new Set();

async function upscaleToHost(sr, lr, scale, opts = {}) {
  const [, h, w] = lr.shape;
  const up = await sr.upscale(lr, { scale: { width: w * scale, height: h * scale }, onWarning: (m) => warnings.add(m), ...opts });
  try {
    const t = up.toTensor();
    const data = await t.data();
    t.dispose();
    return data;
  } finally {
    up.dispose();
  }
}

// ── --write-check: the WASM reference ────────────────────────────────────────────────────────────
if (o['write-check']) {
  await core.initBackend('wasm');
  const sr = await ciaosr.createUpscaler(o.weights ? { weights: o.weights } : {});
  const img = core.toTrainImage(await core.readImage(o.photo));
  const lr = crop(img, CHECK.size);
  const out = await upscaleToHost(sr, lr, CHECK.scale);
  const input = await lr.data();
  fs.writeFileSync(o['write-check'], JSON.stringify({ ...CHECK, backend: 'wasm', input: Buffer.from(input.buffer).toString('base64'), output: Buffer.from(out.buffer).toString('base64') }));
  log(`wrote ${o['write-check']}`);
  process.exit(0);
}

// ── WebGPU set-up ────────────────────────────────────────────────────────────────────────────────
const dawnBackend = process.env.DAWN_BACKEND ?? 'vulkan,opengles';
if (process.env.SR_DAWN_NODE) core.installDawn(createRequire(import.meta.url)(path.resolve(process.env.SR_DAWN_NODE)), dawnBackend);
else process.env.DAWN_BACKEND = dawnBackend;
const report = await core.initBackend('webgpu', { allowSoftwareWebGPU: true });
const flags = Object.fromEntries(o.flags.split(',').filter(Boolean).map((kv) => kv.split('=')).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v === 'true' : Number(v)]));
for (const [k, v] of Object.entries(flags)) tf.env().set(k, v);
const gpu = globalThis.navigator.gpu;
const adapter = await gpu.requestAdapter();
let nvidia = null;
try {
  nvidia = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' }).trim();
} catch {}
const doc = {
  date: new Date().toISOString(),
  machine: machine(),
  gpu: nvidia,
  dawnBackend,
  backend: report.summary,
  adapter: report.adapter,
  adapterFeatures: [...adapter.features].sort(),
  adapterLimits: Object.fromEntries(['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'].map((k) => [k, adapter.limits[k]])),
  tfjs: tf.version_core,
  flags,
  budgetS: Number(o.budget),
  check: null,
  jobs: [],
  sweep: [],
  counted: null,
  skipped: [],
};
const save = () => writeJson(o.out, { ...doc, warnings: [...warnings], wallS: +elapsed().toFixed(1) });
log(report.summary, nvidia ?? '');
save();

const sr = await ciaosr.createUpscaler(o.weights ? { weights: o.weights } : {});

// ── 0. the output against the WASM reference ─────────────────────────────────────────────────────
if (o.check) {
  const ref = JSON.parse(fs.readFileSync(o.check, 'utf8'));
  const f32 = (b64) => { const b = Buffer.from(b64, 'base64'); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
  const lr = tf.tensor4d(f32(ref.input), [1, ref.size, ref.size, 3]);
  const got = await upscaleToHost(sr, lr, ref.scale);
  tf.dispose(lr);
  const want = f32(ref.output);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    sum += d;
    if (!(d <= max)) max = d; // NaN propagates
  }
  doc.check = { job: `×${ref.scale} of ${ref.size}²`, against: ref.backend, maxAbs: max, meanAbs: sum / want.length, ok: max < 1e-3 };
  log('check', JSON.stringify(doc.check));
  save();
}

// ── helpers: timed runs and the peer ─────────────────────────────────────────────────────────────
async function timeRuns(name, run, runs) {
  const t0 = performance.now();
  await run(); // warm-up: shader compilation, first allocations
  const warm = (performance.now() - t0) / 1000;
  const times = [];
  for (let r = 0; r < runs && (r === 0 || left() > 2 * warm); r++) {
    const t = performance.now();
    await run();
    times.push((performance.now() - t) / 1000);
  }
  const row = { name, warmupS: +warm.toFixed(3), medianS: +median(times).toFixed(3), times: times.map((t) => +t.toFixed(3)) };
  log(JSON.stringify(row));
  return row;
}

/**
 * UpscalerJS esrgan-thick ×4 from a given model.json (e.g. the float16-stored copy pack.sh makes), run as
 * bench:peers' `loadUpscalerJS` runs it (input scaled to the model's range, output clipped and mapped
 * back). Not that function itself: it finds the package's files with `require.resolve`, which a bundle
 * on a machine without node_modules cannot do.
 */
async function loadThick(modelJson) {
  // esrgan-thick's custom layers, registered by the package's own `setup(tf)`. Its ESM build has
  // extension-less imports that Node rejects (bundlers accept them): Node takes the CommonJS build.
  const mod = await import('@upscalerjs/esrgan-thick/4x').catch(() => createRequire(import.meta.url)('@upscalerjs/esrgan-thick/4x'));
  const def = mod.default ?? mod;
  def.setup?.(tfl);
  const artifacts = readArtifacts(modelJson);
  const model = await tfl.loadLayersModel(tfl.io.fromMemory(artifacts));
  const [, inMax] = def.inputRange ?? [0, 255];
  const [outMin, outMax] = def.outputRange ?? [0, 255];
  return {
    run: (lr) => tf.tidy(() => tf.div(tf.clipByValue(model.predict(tf.mul(lr, inMax)), outMin, outMax), outMax)),
    weightsStoredAs: artifacts.weightSpecs.find((w) => w.quantization)?.quantization.dtype ?? 'float32',
    params: model.countParams(),
  };
}

// ── 1. defaults, beside the peer ─────────────────────────────────────────────────────────────────
const runs = Number(o.runs);
const photo = core.toTrainImage(await core.readImage(o.photo));
const thick = o.thick ? await loadThick(o.thick) : null;
if (thick) doc.peer = { name: '@upscalerjs/esrgan-thick ×4', params: thick.params, weightsStoredAs: thick.weightsStoredAs };
// Sizes ≥ 1024 are cut from the large photo (as `bench-large.mjs` does).
const JOBS = o.jobs.split(',').map((j) => j.split('x').map(Number)).map(([size, scale]) => ({ size, scale, large: size >= 1024 }));
const sweepSize = Number(o['sweep-size']);
async function runJob(job) {
  const label = `×${job.scale} of ${job.size}²`;
  if (left() < 20) { doc.skipped.push(label); return; }
  const lr = crop(job.large ? core.toTrainImage(await core.readImage(o['large-photo'])) : photo, job.size);
  const row = { job: label, outputMP: +((job.size * job.scale) ** 2 / 1e6).toFixed(2) };
  // Fewer runs for outputs of 4 MP and more (each is seconds; the budget is shared).
  const n = row.outputMP >= 4 ? Math.min(runs, 2) : runs;
  row.ciaosr = await timeRuns(`ciaosr ${label}`, () => upscaleToHost(sr, lr, job.scale), n);
  if (thick && job.scale === 4 && left() > 20) {
    row.thick = await timeRuns(`thick ${label}`, async () => {
      const y = thick.run(lr);
      await y.data();
      y.dispose();
    }, n);
    row.ratio = +(row.ciaosr.medianS / row.thick.medianS).toFixed(2);
  }
  tf.dispose(lr);
  doc.jobs.push(row);
  save();
}
// The large-photo jobs last: the sweep and the counted run say more per second.
for (const job of JOBS.filter((j) => !j.large)) await runJob(job);

// ── 2. one counted run: dispatches, reads back, FLOPs ────────────────────────────────────────────
if (left() > 15) {
  const lr = crop(photo, sweepSize);
  const engine = tf.engine();
  const backend = tf.backend();
  const kernels = new Map();
  let reads = 0;
  const orig = { runKernelFunc: engine.runKernelFunc, read: backend.read, readSync: backend.readSync };
  engine.runKernelFunc = function (p) {
    const k = p.kernelName ?? '(custom-gradient op)';
    kernels.set(k, (kernels.get(k) ?? 0) + 1);
    return orig.runKernelFunc.call(this, p);
  };
  backend.read = function (...a) { reads++; return orig.read.apply(this, a); };
  backend.readSync = function (...a) { reads++; return orig.readSync.apply(this, a); };
  const t0 = performance.now();
  const { flops } = await core.countFlopsDuring(() => upscaleToHost(sr, lr, 4));
  const s = (performance.now() - t0) / 1000;
  Object.assign(engine, { runKernelFunc: orig.runKernelFunc });
  Object.assign(backend, { read: orig.read, readSync: orig.readSync });
  const total = [...kernels.values()].reduce((a, b) => a + b, 0);
  doc.counted = { job: `×4 of ${sweepSize}² (defaults)`, seconds: +s.toFixed(3), kernels: total, readsToCpu: reads, gflop: +(flops / 1e9).toFixed(1), gflops: +(flops / 1e9 / s).toFixed(1), byKernel: Object.fromEntries([...kernels].sort((a, b) => b[1] - a[1]).slice(0, 25)) };
  log(JSON.stringify(doc.counted));
  tf.dispose(lr);
} else doc.skipped.push('counted run');
save();
// ── 3. tile × chunk at ×4 of --sweep-size² ────────────────────────────────────────────────────────────────
{
  const lr = crop(photo, sweepSize);
  const [tiles, chunks] = o.sweep ? o.sweep.split('x').map((l) => l.split(',').map(Number)) : [[], []];
  for (const tile of tiles)
    for (const chunk of chunks) {
      const label = `tile ${tile} chunk ${chunk}`;
      if (left() < 60) { doc.skipped.push(`sweep ${label}`); continue; }
      const row = await timeRuns(label, () => upscaleToHost(sr, lr, 4, { tile, chunkSize: chunk }), Math.min(runs, 2));
      doc.sweep.push({ tile: String(tile), chunk, ...row });
      save();
    }
  tf.dispose(lr);
}

for (const job of JOBS.filter((j) => j.large)) await runJob(job);
save();
log('done');
process.exit(0);
