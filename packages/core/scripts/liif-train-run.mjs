#!/usr/bin/env node
/**
 * Training check of core's implicit-decoder training (issue #4): EDSR-baseline + LIIF trained from
 * scratch for a few hundred steps with the LIIF protocol (`trainImplicit`: LR crops (LIIF: 48²; here 32²), s ~ U(1, 4),
 * sampled queries, flips/transpose, L1, Adam) on photos of `shared/datasets/photos`, then ×2/×3/×4
 * PSNR on held-back crops of a photo never sampled in training, against MATLAB bicubic (`imresize`),
 * measured before and after training. Writes `bench/results/liif-train.json`.
 *
 * Run (from packages/core): `npm run train:liif` (builds dist first), or
 * `node scripts/liif-train-run.mjs [--steps 900] [--batch 4] [--inp 32] [--queries 1024] [--lr 8e-4]
 *  [--hidden 256,256,256,256] [--threads 2] [--backend wasm] [--seed 0] [--eval-every 100] [--out file] [--no-eval]`
 * (`--no-eval` skips the PSNR evaluation: for timing trials).
 * Uses the built `dist/` (like `npm run bench`). Defaults are the settings of the reported run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  createImplicitModel,
  createRng,
  disposeBatch,
  imageToTensor,
  imresize,
  initBackend,
  l1Loss,
  readImage,
  sampleImplicitBatch,
  stepDecay,
  toTrainImage,
  trainImplicit,
} from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, d) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : d;
};
const num = (name, d) => Number(arg(name, d));

const settings = {
  backend: arg('--backend', 'wasm'),
  threads: num('--threads', 2),
  photos: path.resolve(arg('--photos', path.join(here, '..', '..', '..', '..', 'shared', 'datasets', 'photos'))),
  train: arg('--train', 'astronaut,coffee,motorcycle_left,rocket').split(','),
  heldOut: arg('--held-out', 'chelsea'),
  /** Held-back HR crops [y, x, size] of the held-out photo (size divisible by 2, 3 and 4). */
  crops: [
    [78, 60, 144],
    [78, 246, 144],
  ],
  steps: num('--steps', 900),
  batch: num('--batch', 4),
  inpSize: num('--inp', 32),
  queries: num('--queries', 1024),
  lr: num('--lr', 8e-4),
  hidden: arg('--hidden', '256,256,256,256').split(',').map(Number),
  seed: num('--seed', 0),
  scales: [2, 3, 4],
};
const out = arg('--out', path.join(here, '..', 'bench', 'results', 'liif-train.json'));
const log = (s) => process.stderr.write(s + '\n');

/** Luma as LIIF's `calc_psnr` for benchmark sets: `Σ rgb·[65.738, 129.057, 25.064] / 256` (its +16 offset cancels in the difference). */
const toY = (x) => tf.tidy(() => tf.div(tf.sum(tf.mul(x, tf.tensor1d([65.738, 129.057, 25.064])), -1), 256));

/** PSNR (peak 1) with `shave` border pixels removed; `y` = on the luma channel (LIIF benchmark protocol). */
async function psnr(a, b, shave, y) {
  const v = tf.tidy(() => {
    let [p, q] = [a, b];
    if (y) [p, q] = [toY(p), toY(q)];
    const [, h, w] = p.shape;
    const crop = (t) => tf.slice(t, [0, shave, shave], [1, h - 2 * shave, w - 2 * shave]);
    return tf.mean(tf.square(tf.sub(crop(p), crop(q))));
  });
  const mse = (await v.data())[0];
  v.dispose();
  return 10 * Math.log10(1 / mse);
}

/** ×s PSNR (RGB and Y, shave s) of the model and of bicubic on every held-back crop, averaged over crops. */
async function evaluate(model, hrCrops, scales = settings.scales) {
  const res = {};
  for (const s of scales) {
    const acc = { liifRgb: 0, liifY: 0, bicubicRgb: 0, bicubicY: 0 };
    for (const hr of hrCrops) {
      const size = hr.shape[1];
      const lr = tf.tidy(() => tf.clipByValue(imresize(hr, 1 / s), 0, 1));
      const sr = model.upscale(lr, { height: size, width: size });
      const bic = tf.tidy(() => tf.clipByValue(imresize(lr, s), 0, 1));
      acc.liifRgb += await psnr(sr, hr, s, false);
      acc.liifY += await psnr(sr, hr, s, true);
      acc.bicubicRgb += await psnr(bic, hr, s, false);
      acc.bicubicY += await psnr(bic, hr, s, true);
      tf.dispose([lr, sr, bic]);
    }
    res[`x${s}`] = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v / hrCrops.length]));
  }
  return res;
}

async function valLoss(model, batch) {
  const l = l1Loss(model, batch);
  const v = (await l.data())[0];
  l.dispose();
  return v;
}

const backend = await initBackend(settings.backend, { wasmThreads: settings.threads });
log(`backend ${tf.getBackend()} (${settings.threads} thread(s))`);
const load = async (n) => readImage(path.join(settings.photos, `${n}.png`));
const trainImages = [];
for (const n of settings.train) trainImages.push(toTrainImage(await load(n)));
const heldImg = await load(settings.heldOut);
const heldT = imageToTensor(heldImg, { alpha: 'drop' });
const hrCrops = settings.crops.map(([y, x, s]) => tf.slice(heldT, [0, y, x, 0], [1, s, s, 3]));
heldT.dispose();
// A fixed validation batch of the LIIF protocol from the held-out photo (never trained on).
const valBatch = sampleImplicitBatch([toTrainImage(heldImg)], createRng(12345), { batchSize: 8, sampleQ: settings.queries });

const spec = {
  name: 'liif',
  args: {
    encoder_spec: { name: 'edsr-baseline', args: { no_upsampling: true } },
    imnet_spec: { name: 'mlp', args: { out_dim: 3, hidden_list: settings.hidden } },
  },
};
const model = createImplicitModel(spec);
const params = model.numParameters();
log(`EDSR-baseline + LIIF, ${(params / 1e6).toFixed(3)} M parameters`);

const t0 = Date.now();
const noEval = argv.includes('--no-eval'); // timing trials only
const before = { valL1: await valLoss(model, valBatch), psnr: noEval ? null : await evaluate(model, hrCrops) };
const evalSeconds = (Date.now() - t0) / 1000;
log(`before: val L1 ${before.valL1.toFixed(4)} ${JSON.stringify(before.psnr)} (${evalSeconds.toFixed(0)} s)`);

// Adam at `lr` (LIIF: 1e-4 for 1000 epochs; raised for a short run), halved at 50 % and 75 % of the steps.
const lr = stepDecay({ initial: settings.lr, milestones: [Math.round(0.5 * settings.steps), Math.round(0.75 * settings.steps)] });
const t1 = Date.now();
// Trained in segments of `--eval-every` steps with one optimizer and one data RNG (identical to one
// call), so the held-out ×4 PSNR can be logged along the way: the curve shows when LIIF passes bicubic.
const evalEvery = num('--eval-every', 100) || settings.steps;
const optimizer = tf.train.adam(lr(0));
const rng = createRng(settings.seed);
const losses = [];
const curve = [];
for (let done = 0; done < settings.steps; done += evalEvery) {
  const n = Math.min(evalEvery, settings.steps - done);
  const seg = await trainImplicit(model, trainImages, {
    steps: n,
    rng,
    optimizer,
    lr: (s) => lr(s + done),
    batchSize: settings.batch,
    inpSize: settings.inpSize,
    sampleQ: settings.queries,
    onProgress: (p) => {
      const d = done + p.done;
      if (d % 10 === 0 || d === 1) log(`step ${d}/${settings.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(1)} (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
    },
  });
  losses.push(...seg);
  if (done + n < settings.steps && !noEval) {
    const x4 = (await evaluate(model, hrCrops, [4])).x4;
    curve.push({ step: done + n, seconds: (Date.now() - t1) / 1000, x4 });
    log(`step ${done + n}: held-out x4 PSNR ${x4.liifRgb.toFixed(2)} dB (bicubic ${x4.bicubicRgb.toFixed(2)})`);
  }
}
optimizer.dispose();
const trainSeconds = (Date.now() - t1) / 1000;
const t2 = Date.now();
const after = { valL1: await valLoss(model, valBatch), psnr: noEval ? null : await evaluate(model, hrCrops) };
log(`after: val L1 ${after.valL1.toFixed(4)} ${JSON.stringify(after.psnr)} (${((Date.now() - t2) / 1000).toFixed(0)} s)`);

const mean = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
const report = {
  date: new Date().toISOString(),
  backend: backend?.summary ?? tf.getBackend(),
  model: { spec, parameters: params },
  settings: { ...settings, lrSchedule: 'step: ×0.5 at 50 % and 75 % of the steps', optimizer: 'Adam (tfjs defaults β 0.9/0.999, ε 1e-7)', augment: true },
  loss: {
    trainFirst25: mean(losses.slice(0, 25)),
    trainLast25: mean(losses.slice(-25)),
    heldOutValL1Before: before.valL1,
    heldOutValL1After: after.valL1,
    perStep: losses.map((l) => Number(l.toFixed(5))),
  },
  psnrBefore: before.psnr,
  psnrAfter: after.psnr,
  heldOutX4Curve: curve,
  seconds: { train: trainSeconds, perStep: trainSeconds / Math.max(1, settings.steps), evalOnce: evalSeconds, total: (Date.now() - t0) / 1000 },
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
log(`wrote ${out}`);
tf.dispose([...hrCrops]);
disposeBatch(valBatch);
model.dispose();
