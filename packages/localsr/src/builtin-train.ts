/**
 * Training of the built-in LocalSR (`weights/default.safetensors`), Node only: CLSR on the encoder of
 * the built-in CiaoSR (EDSR-baseline, mapped by {@link ciaosrEncoderToEdsr}, kept frozen).
 * 1. The ×4 tail (upsampler + last conv), which CiaoSR does not have, is trained alone on random LR
 *    crops (ROI = whole crop, context branches off), cosine lr.
 * 2. With the whole backbone frozen, the zero-initialised GCM/PIM are trained with the paper's loss
 *    (Eq. 7: L1 on the ROI + λ·L1 on the PIM's context output, λ 0.5 → 0) on contexts with a centred
 *    ROI, cosine lr. CLSR starts as exactly pre-cropping, so any held-out gain comes from the modules.
 * 3. Held-out evaluation: ROI tiles of held-back photos, whole LR image as context, RGB PSNR per ROI
 *    (paper §4.1), CLSR vs pre-cropping (paired differences, mean ± s.e.) and post-cropping.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { HELD_OUT_PHOTOS, TRAINING_PHOTO_FOLDERS, imageToTensor, listTrainingPhotos, readImage, readSafetensors, writeSafetensors } from '@sr/core';
import { CLSR, type ClsrOptions } from './clsr.js';
import { ciaosrEncoderToEdsr } from './ciaosr-backbone.js';
import { LOCALSR_CONFIG_KEY } from './default-weights.js';
import { clsrMethod, postCropMethod, preCropMethod } from './experiment.js';
import { evaluateRois, summarise } from './experiment-eval.js';
import { mulberry32 } from './patch-sampling.js';
import { cosineLr, disposePair, lambdaAt, makeTrainImage, samplePair, splitBackboneParams, trainStepGrouped, type TrainImage } from './train.js';

/**
 * Training folders under `shared/datasets` (licences: see the package's MODEL_CARD.md).
 * @deprecated Use @sr/core's `TRAINING_PHOTO_FOLDERS`, the one list all built-in models train on.
 */
export const BUILTIN_TRAIN_FOLDERS: string[] = [...TRAINING_PHOTO_FOLDERS];
/**
 * Held back from training (the same three as for every built-in model).
 * @deprecated Use @sr/core's `HELD_OUT_PHOTOS`, the one held-out list of all built-in models.
 */
export const BUILTIN_HELD_OUT: string[] = [...HELD_OUT_PHOTOS];

/** Options of {@link trainBuiltin}. */
export interface BuiltinTrainOptions {
  /** The built-in CiaoSR weights (`packages/ciaosr/weights/default.safetensors`). */
  ciaosrWeights: string;
  /** `shared/datasets`. */
  datasets: string;
  /** Output weights and JSON report. */
  out: string;
  report: string;
  tailSteps?: number;
  moduleSteps?: number;
  batch?: number;
  tailCrop?: number;
  context?: number;
  roi?: number;
  tailLr?: number;
  moduleLr?: number;
  padding?: number;
  /** Training photos are centre-cropped to at most this HR side (memory), held-out ones to `evalCrop`. */
  maxSide?: number;
  evalCrop?: number;
  evalRoi?: number;
  seed?: number;
  log?: (s: string) => void;
}

async function loadCropped(file: string, side: number): Promise<TrainImage> {
  const full = imageToTensor(await readImage(file), { alpha: 'drop' }) as tf.Tensor4D;
  const [, H, W] = full.shape;
  const [h, w] = [Math.min(H, side), Math.min(W, side)];
  const crop = tf.slice(full, [0, (H - h) >> 1, (W - w) >> 1, 0], [1, h, w, 3]) as tf.Tensor4D;
  const img = makeTrainImage(crop, 4);
  tf.dispose([full, crop]);
  return img;
}

/** Runs stages 1–3, writes the weights (configuration in `__metadata__.localsr_config`) and the report. */
export async function trainBuiltin(o: BuiltinTrainOptions): Promise<Record<string, unknown>> {
  const log = o.log ?? console.log;
  const [tailSteps, moduleSteps, batch, seed] = [o.tailSteps ?? 400, o.moduleSteps ?? 400, o.batch ?? 2, o.seed ?? 0];
  const enc = ciaosrEncoderToEdsr(readSafetensors(new Uint8Array(fs.readFileSync(o.ciaosrWeights))).stateDict);
  const cfg: ClsrOptions = { backbone: 'edsr', backboneConfig: { channels: enc.channels, blocks: enc.blocks }, padding: o.padding ?? 8, numPatches: 64, gcmStages: 2 };
  const files = listTrainingPhotos(o.datasets);
  const train: TrainImage[] = [];
  for (const f of files) train.push(await loadCropped(f, o.maxSide ?? 768));
  log(`${train.length} training photos; held out: ${HELD_OUT_PHOTOS.join(', ')}`);
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0);
  const setLr = (opt: tf.Optimizer, lr: number) => ((opt as unknown as { learningRate: number }).learningRate = lr);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

  // 1. the ×4 tail on the frozen CiaoSR encoder
  const base = new CLSR({ ...cfg, gcm: false, pim: false });
  base.base.module.loadStateDict(enc.weights, { ignore: (k) => k.startsWith('tail.') || k.startsWith('sub_mean.') || k.startsWith('add_mean.') });
  const tailVars = base.namedParameters().filter(([n, p]) => p.trainable && n.startsWith('base.tail.')).map(([, p]) => p.variable);
  const rng = mulberry32(seed + 1);
  const [tailCrop, tailLr] = [o.tailCrop ?? 32, o.tailLr ?? 1e-3];
  let opt = tf.train.adam(tailLr);
  const tailLosses: number[] = [];
  for (let s = 0; s < tailSteps; s++) {
    const pairs = Array.from({ length: batch }, () => samplePair(train[Math.floor(rng() * train.length)], tailCrop, tailCrop, rng));
    setLr(opt, cosineLr(s, tailSteps, tailLr, tailLr / 10));
    tailLosses.push(await trainStepGrouped(base, [{ optimizer: opt, variables: tailVars }], pairs, 0));
    pairs.forEach(disposePair);
    if ((s + 1) % 25 === 0) log(`tail ${s + 1}/${tailSteps} loss ${mean(tailLosses.slice(-25)).toFixed(4)} (${secs()} s)`);
  }
  opt.dispose();
  const tailSeconds = (Date.now() - t0) / 1000;

  // 2. GCM/PIM on the frozen backbone
  const clsr = new CLSR(cfg);
  clsr.loadStateDict(await base.stateDict(), { strict: false });
  const data = mulberry32(seed + 2);
  const jitter = mulberry32(seed + 3);
  const [ctx, roi, moduleLr] = [o.context ?? 48, o.roi ?? 16, o.moduleLr ?? 1e-3];
  opt = tf.train.adam(moduleLr);
  const modules = splitBackboneParams(clsr).modules;
  const moduleLosses: number[] = [];
  for (let s = 0; s < moduleSteps; s++) {
    const pairs = Array.from({ length: batch }, () => samplePair(train[Math.floor(data() * train.length)], ctx, roi, data));
    setLr(opt, cosineLr(s, moduleSteps, moduleLr, 0));
    moduleLosses.push(await trainStepGrouped(clsr, [{ optimizer: opt, variables: modules }], pairs, lambdaAt(s, moduleSteps), jitter));
    pairs.forEach(disposePair);
    if ((s + 1) % 25 === 0) log(`modules ${s + 1}/${moduleSteps} loss ${mean(moduleLosses.slice(-25)).toFixed(4)} (${secs()} s)`);
  }
  opt.dispose();
  train.forEach((i) => tf.dispose([i.lr, i.hr]));
  const moduleSeconds = (Date.now() - t0) / 1000 - tailSeconds;

  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const trainInfo = { tailSteps, moduleSteps, batch, tailCrop, context: ctx, roi, tailLr, moduleLr, seed, photos: train.length, heldOut: HELD_OUT_PHOTOS, tailSeconds, moduleSeconds };
  fs.writeFileSync(o.out, writeSafetensors(await clsr.stateDict(), { format: 'pt', [LOCALSR_CONFIG_KEY]: JSON.stringify(cfg), localsr_train: JSON.stringify(trainInfo) }));
  log(`wrote ${o.out} (${secs()} s)`);

  // 3. held-out evaluation
  const t2 = Date.now();
  const test: TrainImage[] = [];
  for (const f of HELD_OUT_PHOTOS) test.push(await loadCropped(path.join(o.datasets, f), o.evalCrop ?? 512));
  const psnrs = await evaluateRois({ preCrop: preCropMethod(clsr), clsr: clsrMethod(clsr), postCrop: postCropMethod(clsr) }, test, o.evalRoi ?? 16);
  const stats = summarise(psnrs, [['clsr', 'preCrop'], ['postCrop', 'preCrop'], ['postCrop', 'clsr']]);
  test.forEach((i) => tf.dispose([i.lr, i.hr]));
  const report = {
    date: new Date().toISOString(),
    backend: tf.getBackend(),
    config: cfg,
    train: { ...trainInfo, tailLossFirst25: mean(tailLosses.slice(0, 25)), tailLossLast25: mean(tailLosses.slice(-25)), moduleLossFirst25: mean(moduleLosses.slice(0, 25)), moduleLossLast25: mean(moduleLosses.slice(-25)) },
    eval: { photos: HELD_OUT_PHOTOS, crop: o.evalCrop ?? 512, roi: o.evalRoi ?? 16, rois: psnrs.clsr.length, seconds: (Date.now() - t2) / 1000, ...stats },
  };
  fs.mkdirSync(path.dirname(path.resolve(o.report)), { recursive: true });
  fs.writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n');
  log(JSON.stringify(report.eval, null, 2));
  [base, clsr].forEach((m) => m.dispose());
  return report;
}
