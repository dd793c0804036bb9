/**
 * CLSR training (paper §3.5, §4.1): contexts are random LR patches whose centre region is the ROI;
 * the loss is L = ‖ŷ − y‖₁ + λ‖Ŷ_P − Y‖₁ (Eq. 7) with λ starting at 0.5 and decayed to 0; the
 * learning rate follows a cosine decay from 1e-4. All parameters (base included) are trained,
 * starting from backbone weights.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, ensureGradients, imresize } from '@sr/core';
import type { CLSR } from './clsr.js';
import type { Roi } from './roi.js';
import type { Uniform } from './patch-sampling.js';

/** How λ goes from `start` to 0 over the run (paper: "gradually reduced to zero", form unstated). */
export type LambdaSchedule = 'linear' | 'cosine' | 'constant';

/** λ at `step` of `total` (default: linear from 0.5 to 0, reaching 0 at the last step). */
export function lambdaAt(step: number, total: number, start = 0.5, kind: LambdaSchedule = 'linear'): number {
  if (kind === 'constant' || total <= 1) return start;
  const t = Math.min(1, Math.max(0, step / (total - 1)));
  return kind === 'linear' ? start * (1 - t) : start * 0.5 * (1 + Math.cos(Math.PI * t));
}

/** Cosine learning-rate decay from `lr0` to `lrMin` (paper §4.1: 1e-4 with cosine decay). */
export function cosineLr(step: number, total: number, lr0 = 1e-4, lrMin = 0): number {
  const t = total <= 1 ? 0 : Math.min(1, step / (total - 1));
  return lrMin + (lr0 - lrMin) * 0.5 * (1 + Math.cos(Math.PI * t));
}

/** An LR/HR training image pair (HR size = s × LR size). */
export interface TrainImage {
  lr: tf.Tensor4D;
  hr: tf.Tensor4D;
}

/** Crops `hr` `[1, H, W, 3]` to a multiple of `scale` and makes its MATLAB-bicubic LR (the DIV2K protocol). */
export function makeTrainImage(hr: tf.Tensor4D, scale = 4): TrainImage {
  return tf.tidy(() => {
    const [, H, W] = hr.shape;
    const h = Math.floor(H / scale) * scale;
    const w = Math.floor(W / scale) * scale;
    const crop = tf.slice(hr, [0, 0, 0, 0], [1, h, w, 3]) as tf.Tensor4D;
    return { hr: crop, lr: tf.clipByValue(imresize(crop, 1 / scale), 0, 1) as tf.Tensor4D };
  });
}

/** One training example: an LR context, its centred ROI, and the HR ground truth of both. */
export interface TrainPair {
  context: tf.Tensor4D;
  roi: Roi;
  /** y: HR ROI. */
  roiHr: tf.Tensor4D;
  /** Y: HR context. */
  contextHr: tf.Tensor4D;
}

/** Disposes a {@link TrainPair}. */
export function disposePair(p: TrainPair): void {
  tf.dispose([p.context, p.roiHr, p.contextHr]);
}

/**
 * Samples a `contextSize²` LR patch at a random position and takes its centre `roiSize²` as the ROI
 * (paper §3.5; Table 2 uses 54 / 48). Optional flips/rotations are not used (the paper names none).
 */
export function samplePair(img: TrainImage, contextSize: number, roiSize: number, rng: Uniform, scale = 4): TrainPair {
  const [, h, w] = img.lr.shape;
  if (contextSize > h || contextSize > w) throw new InputError(`training context ${contextSize} does not fit a ${w}×${h} LR image`);
  if (roiSize > contextSize) throw new InputError(`ROI ${roiSize} is larger than the context ${contextSize}`);
  const y = Math.floor(rng() * (h - contextSize + 1));
  const x = Math.floor(rng() * (w - contextSize + 1));
  const off = Math.floor((contextSize - roiSize) / 2);
  const roi = { x: off, y: off, width: roiSize, height: roiSize };
  const s = scale;
  return tf.tidy(() => {
    const contextHr = tf.slice(img.hr, [0, y * s, x * s, 0], [1, contextSize * s, contextSize * s, 3]) as tf.Tensor4D;
    return {
      context: tf.slice(img.lr, [0, y, x, 0], [1, contextSize, contextSize, 3]) as tf.Tensor4D,
      roi,
      roiHr: tf.slice(contextHr, [0, off * s, off * s, 0], [1, roiSize * s, roiSize * s, 3]) as tf.Tensor4D,
      contextHr,
    };
  });
}

/** The two-term loss of Eq. 7 on one pair (a scalar; the second term only when the PIM is on). */
export function clsrLoss(model: CLSR, pair: TrainPair, lambda: number, rng?: Uniform): tf.Scalar {
  return tf.tidy(() => {
    const out = model.forward(pair.context, pair.roi, { rng, withContextOutput: lambda > 0 });
    let loss = tf.mean(tf.abs(tf.sub(out.roi, pair.roiHr))) as tf.Scalar;
    if (out.context && lambda > 0) loss = tf.add(loss, tf.mul(lambda, tf.mean(tf.abs(tf.sub(out.context, pair.contextHr))))) as tf.Scalar;
    return loss;
  });
}

/**
 * One optimiser step on a batch of pairs (mean of per-pair losses). Returns the loss value; leaves no
 * tensors behind (the optimiser's own slots are created on the first step and live with it).
 */
export async function trainStep(model: CLSR, optimizer: tf.Optimizer, pairs: TrainPair[], lambda: number, rng?: Uniform): Promise<number> {
  if (!pairs.length) throw new InputError('trainStep needs at least one pair');
  await ensureGradients();
  const vars = model.trainableVariables();
  const loss = optimizer.minimize(
    () => tf.div(tf.addN(pairs.map((p) => clsrLoss(model, p, lambda, rng))), pairs.length) as tf.Scalar,
    true,
    vars,
  );
  if (!loss) throw new Error('optimizer returned no loss');
  const v = (await loss.data())[0];
  loss.dispose();
  return v;
}

/** A set of variables updated by one optimizer (PyTorch's parameter groups). */
export interface ParamGroup {
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
}

/**
 * Splits CLSR's trainable variables into the backbone (`base.*`) and the new context modules (`gcm.*`,
 * `pim.*`), so the modules that start at zero can get a higher learning rate than the pretrained
 * backbone (a common fine-tuning choice; the paper gives one lr, 1e-4, for 200k iterations).
 */
export function splitBackboneParams(model: CLSR): { backbone: tf.Variable[]; modules: tf.Variable[] } {
  const named = model.namedParameters().filter(([, p]) => p.trainable);
  return {
    backbone: named.filter(([n]) => n.startsWith('base.')).map(([, p]) => p.variable),
    modules: named.filter(([n]) => !n.startsWith('base.')).map(([, p]) => p.variable),
  };
}

/**
 * {@link trainStep} with one optimizer per parameter group: the gradients of the mean Eq. 7 loss are
 * computed once and each group's optimizer applies its share. Returns the loss; leaves no tensors behind.
 */
export async function trainStepGrouped(model: CLSR, groups: ParamGroup[], pairs: TrainPair[], lambda: number, rng?: Uniform): Promise<number> {
  if (!pairs.length) throw new InputError('trainStepGrouped needs at least one pair');
  await ensureGradients();
  const vars = groups.flatMap((g) => g.variables);
  const { value, grads } = tf.variableGrads(() => tf.div(tf.addN(pairs.map((p) => clsrLoss(model, p, lambda, rng))), pairs.length) as tf.Scalar, vars);
  try {
    for (const g of groups) {
      // tfjs Adam keys its moment slots by position in the map, so every variable gets an entry, every
      // step (zeros where no gradient flows, e.g. GCM's α, whose softmax gradient is exactly 0).
      const mine = Object.fromEntries(g.variables.map((v) => [v.name, grads[v.name] ?? (grads[v.name] = tf.zerosLike(v))]));
      g.optimizer.applyGradients(mine);
    }
    return (await value.data())[0];
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}
