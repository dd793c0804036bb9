/**
 * The training experiment of the package README: does CLSR, fine-tuned from backbone weights with
 * the paper's protocol, beat pre-cropping on held-back images? Small models, a few hundred steps.
 * 1. "backbone weights": a plain ×4 backbone trained on random 24² LR crops (no such weights ship
 *    offline, so we make them);
 * 2. from those weights, CLSR (GCM + PIM) and a control — the same network with both branches off,
 *    i.e. the backbone fine-tuned on the padded ROI (pre-cropping trained just as long) — are trained
 *    on identical batches: contexts with a centred ROI, L1 + λ·L1(Ŷ_P), λ 0.5 → 0, cosine lr;
 * 3. evaluation on held-back photos: the whole LR image as context, non-overlapping ROI tiles,
 *    RGB PSNR per ROI without border cropping (paper §4.1), averaged over ROIs.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, readImage } from '@sr/core';
import { CLSR, disposeContext, type ClsrOptions } from './clsr.js';
import { preCrop } from './baselines.js';
import { cosineLr, disposePair, lambdaAt, makeTrainImage, samplePair, trainStep, type TrainImage } from './train.js';
import { mulberry32 } from './patch-sampling.js';
import type { Roi } from './roi.js';

/** Experiment settings (all have small defaults suited to a CPU). */
export interface ExperimentOptions {
  photosDir: string;
  train?: string[];
  heldOut?: string[];
  pretrainSteps?: number;
  steps?: number;
  contextSize?: number;
  roiSize?: number;
  evalRoi?: number;
  model?: Partial<ClsrOptions>;
  out?: string;
  log?: (s: string) => void;
}

async function loadImages(dir: string, names: string[]): Promise<TrainImage[]> {
  const out: TrainImage[] = [];
  for (const n of names) {
    const hr = imageToTensor(await readImage(path.join(dir, `${n}.png`)), { alpha: 'drop' });
    out.push(makeTrainImage(hr, 4));
    hr.dispose();
  }
  return out;
}

async function psnr(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(tf.clipByValue(a, 0, 1), b))));
  const v = (await mse.data())[0];
  mse.dispose();
  return 10 * Math.log10(1 / Math.max(v, 1e-12));
}

/** Mean ROI PSNR over non-overlapping `size²` tiles of the held-out images, for each method. */
async function evaluate(models: Record<string, CLSR>, base: CLSR, images: TrainImage[], size: number): Promise<Record<string, number>> {
  const sums: Record<string, number> = { preCrop: 0 };
  for (const k of Object.keys(models)) sums[k] = 0;
  let count = 0;
  for (const img of images) {
    const [, H, W] = img.lr.shape;
    const caches = Object.fromEntries(Object.entries(models).map(([k, m]) => [k, m.prepare(img.lr)]));
    for (let y = 0; y + size <= H; y += size)
      for (let x = 0; x + size <= W; x += size) {
        const roi: Roi = { x, y, width: size, height: size };
        const gt = tf.slice(img.hr, [0, 4 * y, 4 * x, 0], [1, 4 * size, 4 * size, 3]);
        const pre = preCrop(base.base, img.lr, roi, base.padding);
        sums.preCrop += await psnr(pre, gt);
        pre.dispose();
        for (const [k, m] of Object.entries(models)) {
          const o = m.forwardRegion(caches[k], roi);
          sums[k] += await psnr(o, gt);
          o.dispose();
        }
        gt.dispose();
        count++;
      }
    Object.values(caches).forEach(disposeContext);
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
}

/** Runs the experiment and returns (and optionally writes) its JSON report. */
export async function runExperiment(o: ExperimentOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? console.log;
  const trainNames = o.train ?? ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
  const heldOut = o.heldOut ?? ['rocket'];
  const [pre, steps, ctx, roiSize] = [o.pretrainSteps ?? 200, o.steps ?? 200, o.contextSize ?? 40, o.roiSize ?? 16];
  const cfg: ClsrOptions = { backbone: 'edsr', backboneConfig: { channels: 16, blocks: 4 }, padding: 4, numPatches: 64, gcmStages: 2, ...o.model };
  const train = await loadImages(o.photosDir, trainNames);
  const test = await loadImages(o.photosDir, heldOut);
  const t0 = Date.now();
  // 1. backbone weights: plain SR on 24² crops (ROI = whole crop, branches off).
  const base = new CLSR({ ...cfg, gcm: false, pim: false });
  const rng = mulberry32(1);
  let opt = tf.train.adam(1e-3);
  const preLosses: number[] = [];
  for (let s = 0; s < pre; s++) {
    const pair = samplePair(train[Math.floor(rng() * train.length)], 24, 24, rng);
    (opt as unknown as { learningRate: number }).learningRate = cosineLr(s, pre, 1e-3, 1e-4);
    preLosses.push(await trainStep(base, opt, [pair], 0));
    disposePair(pair);
    if (s % 25 === 0) log(`pretrain ${s}/${pre} loss ${preLosses[s].toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  opt.dispose();
  const backboneWeights = await base.stateDict();
  // 2. CLSR and the control from the same weights, identical batches.
  const clsr = new CLSR(cfg);
  clsr.base.module.loadStateDict(Object.fromEntries(Object.entries(backboneWeights).map(([k, v]) => [k.slice('base.'.length), v])));
  const control = new CLSR({ ...cfg, gcm: false, pim: false });
  control.loadStateDict(backboneWeights);
  const losses: Record<string, number[]> = { clsr: [], control: [] };
  for (const [name, m] of [['clsr', clsr], ['control', control]] as const) {
    const r = mulberry32(2);
    opt = tf.train.adam(2e-4);
    for (let s = 0; s < steps; s++) {
      const pair = samplePair(train[Math.floor(r() * train.length)], ctx, roiSize, r);
      (opt as unknown as { learningRate: number }).learningRate = cosineLr(s, steps, 2e-4, 0);
      losses[name].push(await trainStep(m, opt, [pair], lambdaAt(s, steps), r));
      disposePair(pair);
      if (s % 25 === 0) log(`${name} ${s}/${steps} loss ${losses[name][s].toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    opt.dispose();
  }
  // 3. held-out evaluation.
  const psnrs = await evaluate({ clsr, control }, base, test, o.evalRoi ?? 16);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const report = {
    backend: tf.getBackend(),
    config: { ...cfg, pretrainSteps: pre, steps, contextSize: ctx, roiSize, evalRoi: o.evalRoi ?? 16, train: trainNames, heldOut },
    loss: {
      pretrainFirst25: mean(preLosses.slice(0, 25)),
      pretrainLast25: mean(preLosses.slice(-25)),
      clsrFirst25: mean(losses.clsr.slice(0, 25)),
      clsrLast25: mean(losses.clsr.slice(-25)),
      controlFirst25: mean(losses.control.slice(0, 25)),
      controlLast25: mean(losses.control.slice(-25)),
    },
    heldOutRoiPsnr: { preCrop: psnrs.preCrop, preCropFineTuned: psnrs.control, clsr: psnrs.clsr },
    seconds: (Date.now() - t0) / 1000,
  };
  log(JSON.stringify(report, null, 2));
  if (o.out) {
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(report, null, 2));
  }
  [...train, ...test].forEach((i) => tf.dispose([i.lr, i.hr]));
  [base, clsr, control].forEach((m) => m.dispose());
  return report;
}
