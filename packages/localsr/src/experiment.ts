/**
 * The training experiment of the package README: does CLSR, fine-tuned from backbone weights with
 * the paper's protocol, beat pre-cropping on held-back images? Small models, a few hundred steps.
 * 1. "backbone weights": a plain ×4 backbone trained on random LR crops (no such weights ship
 *    offline, so we make them);
 * 2. from those weights, CLSR (GCM + PIM) and a control — the same network with both branches off,
 *    i.e. the backbone fine-tuned on the padded ROI (pre-cropping trained just as long) — are trained
 *    on identical batches (one data RNG per run, GCM lattice jitter from a separate RNG): contexts with
 *    a centred ROI, L1 + λ·L1(Ŷ_P), λ 0.5 → 0, cosine lr; the backbone gets the same lr in both, the
 *    zero-initialised GCM/PIM may get a higher one (`moduleLr`);
 * 3. evaluation on held-back photos: the whole LR image as context, non-overlapping ROI tiles,
 *    RGB PSNR per ROI without border cropping (paper §4.1), mean ± s.e. over ROIs and paired
 *    differences; post-cropping with the fine-tuned backbone is the upper anchor (all context).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, readImage } from '@sr/core';
import { CLSR, disposeContext, type ClsrOptions, type ContextCache } from './clsr.js';
import { postCrop, preCrop } from './baselines.js';
import { cosineLr, disposePair, lambdaAt, makeTrainImage, samplePair, splitBackboneParams, trainStepGrouped, type TrainImage } from './train.js';
import { mulberry32 } from './patch-sampling.js';
import { evaluateRois, summarise, type EvalMethod } from './experiment-eval.js';

/** Experiment settings (all have small defaults suited to a CPU). */
export interface ExperimentOptions {
  photosDir: string;
  /** Training photos (file stems in `photosDir`; default astronaut, chelsea, coffee, motorcycle_left). */
  train?: string[];
  /** Held-back photos, never sampled in training (default rocket). */
  heldOut?: string[];
  /** Steps of plain backbone training that make the "backbone weights" (default 200). */
  pretrainSteps?: number;
  /** Peak lr of the backbone pretraining (cosine to a tenth; default 1e-3). */
  pretrainLr?: number;
  /** LR crop size of the backbone pretraining (default 24). */
  pretrainCrop?: number;
  /** Fine-tuning steps of CLSR and of the control, each (default 200). */
  steps?: number;
  /** Pairs per fine-tuning step (default 1). */
  batch?: number;
  /** Peak lr of the backbone in both fine-tunings (cosine to 0; default 2e-4). */
  lr?: number;
  /** Peak lr of the GCM/PIM parameters (cosine to 0; default = `lr`). */
  moduleLr?: number;
  /**
   * Keep the backbone weights fixed and train only the zero-initialised GCM/PIM (default false). CLSR
   * then starts as exactly pre-cropping with those weights, and whatever it gains comes from the new
   * modules — their view of the context or just their added capacity, which the `clsrPaddedRoiContext`
   * control tells apart. The control (pre-cropping fine-tuned) is the starting weights themselves, so it
   * is not trained.
   */
  freezeBackbone?: boolean;
  /** LR context size of a training pair (default 40). */
  contextSize?: number;
  /** Centred ROI size of a training pair (default 16). */
  roiSize?: number;
  /** Evaluation ROI size (non-overlapping tiles of the held-out images; default 16). */
  evalRoi?: number;
  /** Seed of the data and GCM RNGs (default 0). */
  seed?: number;
  /** Overrides of the small CLSR configuration (default EDSR 16 channels × 4 blocks, padding 4, 64 patches, 2 GCM stages). */
  model?: Partial<ClsrOptions>;
  /** Path of the JSON report to write (directories are created); the report is returned either way. */
  out?: string;
  /** Receives progress lines (losses every 25 steps) and the final report; default `console.log`. */
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

const setLr = (opt: tf.Optimizer, lr: number) => ((opt as unknown as { learningRate: number }).learningRate = lr);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

/** Pre-cropping with a model's backbone (its own padding). */
export const preCropMethod = (m: CLSR): EvalMethod => ({ region: (lr, roi) => preCrop(m.base, lr, roi, m.padding) });

/** CLSR from a prepared context (the inference path). */
export function clsrMethod(m: CLSR): EvalMethod {
  let cache: ContextCache | null = null;
  return {
    prepare: (lr) => void (cache = m.prepare(lr)),
    region: (_lr, roi) => m.forwardRegion(cache as ContextCache, roi),
    release: () => cache && disposeContext(cache),
  };
}

/**
 * CLSR given only the padded ROI as its context (the window pre-cropping sees): the same trained
 * network without the far context. CLSR (whole image) minus this is what the context itself adds, as
 * opposed to the extra parameters and training of the GCM/PIM.
 */
function clsrWindowMethod(m: CLSR): EvalMethod {
  const p = m.padding;
  return {
    region: (lr, roi) => {
      const [, h, w] = lr.shape;
      const [x0, y0] = [Math.max(0, roi.x - p), Math.max(0, roi.y - p)];
      const [x1, y1] = [Math.min(w, roi.x + roi.width + p), Math.min(h, roi.y + roi.height + p)];
      const win = tf.slice(lr, [0, y0, x0, 0], [1, y1 - y0, x1 - x0, 3]) as tf.Tensor4D;
      const cache = m.prepare(win);
      try {
        return m.forwardRegion(cache, { x: roi.x - x0, y: roi.y - y0, width: roi.width, height: roi.height });
      } finally {
        disposeContext(cache);
        win.dispose();
      }
    },
  };
}

/** Post-cropping: the backbone on the whole held-out image once, then crops. */
export function postCropMethod(m: CLSR): EvalMethod {
  let full: tf.Tensor4D | null = null;
  const s = m.scale;
  return {
    prepare: async (lr) => {
      const [, H, W] = lr.shape;
      full = await postCrop(m.base, lr, { x: 0, y: 0, width: W, height: H });
    },
    region: (_lr, roi) => tf.slice(full as tf.Tensor4D, [0, roi.y * s, roi.x * s, 0], [1, roi.height * s, roi.width * s, 3]) as tf.Tensor4D,
    release: () => full?.dispose(),
  };
}

/** Runs the experiment and returns (and optionally writes) its JSON report. */
export async function runExperiment(o: ExperimentOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? console.log;
  const trainNames = o.train ?? ['astronaut', 'chelsea', 'coffee', 'motorcycle_left'];
  const heldOut = o.heldOut ?? ['rocket'];
  if (heldOut.some((n) => trainNames.includes(n))) throw new Error('a held-out photo is also a training photo');
  const [pre, steps, ctx, roiSize, batch] = [o.pretrainSteps ?? 200, o.steps ?? 200, o.contextSize ?? 40, o.roiSize ?? 16, o.batch ?? 1];
  const [lr, moduleLr, preLr, preCropSize, seed] = [o.lr ?? 2e-4, o.moduleLr ?? o.lr ?? 2e-4, o.pretrainLr ?? 1e-3, o.pretrainCrop ?? 24, o.seed ?? 0];
  const freeze = o.freezeBackbone ?? false;
  const cfg: ClsrOptions = { backbone: 'edsr', backboneConfig: { channels: 16, blocks: 4 }, padding: 4, numPatches: 64, gcmStages: 2, ...o.model };
  const train = await loadImages(o.photosDir, trainNames);
  const test = await loadImages(o.photosDir, heldOut);
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
  // 1. backbone weights: plain SR on crops (ROI = whole crop, branches off).
  const base = new CLSR({ ...cfg, gcm: false, pim: false });
  const rng = mulberry32(seed + 1);
  let opt = tf.train.adam(preLr);
  const preLosses: number[] = [];
  const all = splitBackboneParams(base).backbone;
  for (let s = 0; s < pre; s++) {
    const pairs = Array.from({ length: batch }, () => samplePair(train[Math.floor(rng() * train.length)], preCropSize, preCropSize, rng));
    setLr(opt, cosineLr(s, pre, preLr, preLr / 10));
    preLosses.push(await trainStepGrouped(base, [{ optimizer: opt, variables: all }], pairs, 0));
    pairs.forEach(disposePair);
    if (s % 25 === 0) log(`pretrain ${s}/${pre} loss ${preLosses[s].toFixed(4)} (${secs()} s)`);
  }
  opt.dispose();
  const pretrainSeconds = (Date.now() - t0) / 1000;
  const backboneWeights = await base.stateDict();
  // 2. CLSR and the control from the same weights, identical batches.
  const clsr = new CLSR(cfg);
  clsr.base.module.loadStateDict(Object.fromEntries(Object.entries(backboneWeights).map(([k, v]) => [k.slice('base.'.length), v])));
  const control = new CLSR({ ...cfg, gcm: false, pim: false });
  control.loadStateDict(backboneWeights);
  const losses: Record<string, number[]> = { clsr: [], control: [] };
  const seconds: Record<string, number> = { pretrain: pretrainSeconds };
  for (const [name, m] of [['clsr', clsr], ['control', control]] as const) {
    if (freeze && name === 'control') {
      seconds.control = 0; // with a frozen backbone the control is the starting weights
      continue;
    }
    const t1 = Date.now();
    const data = mulberry32(seed + 2);
    const jitter = mulberry32(seed + 3);
    const params = splitBackboneParams(m);
    const optB = tf.train.adam(lr);
    const optM = tf.train.adam(moduleLr);
    for (let s = 0; s < steps; s++) {
      const pairs = Array.from({ length: batch }, () => samplePair(train[Math.floor(data() * train.length)], ctx, roiSize, data));
      setLr(optB, cosineLr(s, steps, lr, 0));
      setLr(optM, cosineLr(s, steps, moduleLr, 0));
      const groups = [
        { optimizer: optB, variables: freeze ? [] : params.backbone },
        { optimizer: optM, variables: params.modules },
      ].filter((g) => g.variables.length);
      losses[name].push(await trainStepGrouped(m, groups, pairs, lambdaAt(s, steps), jitter));
      pairs.forEach(disposePair);
      if (s % 25 === 0) log(`${name} ${s}/${steps} loss ${losses[name][s].toFixed(4)} (${secs()} s)`);
    }
    optB.dispose();
    optM.dispose();
    seconds[name] = (Date.now() - t1) / 1000;
  }
  // 3. held-out evaluation (same ROIs for every method, paired).
  const t2 = Date.now();
  const evalRoi = o.evalRoi ?? 16;
  const clsrNoContext = new CLSR({ ...cfg, gcm: false, pim: false });
  clsrNoContext.loadStateDict(Object.fromEntries(Object.entries(await clsr.stateDict()).filter(([k]) => k.startsWith('base.'))));
  const psnrs = await evaluateRois(
    {
      preCrop: preCropMethod(base),
      preCropFineTuned: preCropMethod(control),
      clsr: clsrMethod(clsr),
      clsrBaseOnly: preCropMethod(clsrNoContext),
      clsrPaddedRoiContext: clsrWindowMethod(clsr),
      postCropFineTuned: postCropMethod(control),
    },
    test,
    evalRoi,
  );
  seconds.eval = (Date.now() - t2) / 1000;
  const stats = summarise(psnrs, [
    ['clsr', 'preCropFineTuned'],
    ['clsr', 'preCrop'],
    ['preCropFineTuned', 'preCrop'],
    ['postCropFineTuned', 'preCropFineTuned'],
    ['clsr', 'clsrBaseOnly'],
    ['clsr', 'clsrPaddedRoiContext'],
    ['clsrPaddedRoiContext', 'preCrop'],
  ]);
  const gates = clsr.pim?.gate ? Array.from(await clsr.pim.gate.data()) : null;
  const report = {
    backend: tf.getBackend(),
    date: new Date().toISOString(),
    config: { ...cfg, pretrainSteps: pre, pretrainLr: preLr, pretrainCrop: preCropSize, steps, batch, lr, moduleLr, freezeBackbone: freeze, contextSize: ctx, roiSize, evalRoi, seed, train: trainNames, heldOut },
    loss: {
      pretrainFirst25: mean(preLosses.slice(0, 25)),
      pretrainLast25: mean(preLosses.slice(-25)),
      clsrFirst25: mean(losses.clsr.slice(0, 25)),
      clsrLast25: mean(losses.clsr.slice(-25)),
      controlFirst25: mean(losses.control.slice(0, 25)),
      controlLast25: mean(losses.control.slice(-25)),
    },
    heldOutRoiPsnr: Object.fromEntries(Object.entries(stats.methods).map(([k, v]) => [k, v.mean])),
    heldOutRoiStats: stats,
    pimGates: gates,
    seconds: { ...seconds, total: (Date.now() - t0) / 1000 },
  };
  log(JSON.stringify(report, null, 2));
  if (o.out) {
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(report, null, 2));
  }
  [...train, ...test].forEach((i) => tf.dispose([i.lr, i.hr]));
  [base, clsr, control, clsrNoContext].forEach((m) => m.dispose());
  return report;
}
