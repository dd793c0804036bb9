/**
 * One VSpSR training step, as the official `main.py`/`engine` loop: forward with a fresh ε (the
 * model samples w at train time too), loss = MSE + 0.1·KL_w (+ hooks), PyTorch-style Adam with L2
 * weight decay (`weight_decay` is added to the gradient), gradient clipping by global norm
 * (`clip_max_norm` 0.1), defaults lr 1e-4, wd 1e-4.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertGradients, InputError } from '@sr/core';
import type { VSPSR } from './vspsr.js';
import { disposeRecord } from './vspm.js';
import { vspsrLoss, type VSpSRLossHooks, type VSpSRLossWeights } from './loss.js';
import { createNormalRng, type NormalRng } from './rng.js';

/** Options of {@link createVSpSRTrainer}. */
export interface VSpSRTrainerOptions {
  /** Adam learning rate. Default 1e-4 (main.py; the ×4 fine-tune uses 1e-5). */
  learningRate?: number;
  /** PyTorch Adam `weight_decay` (L2 added to the gradient). Default 1e-4. */
  weightDecay?: number;
  /** Clip the global gradient norm to this (`clip_max_norm`); 0 disables. Default 0.1. */
  clipNorm?: number;
  /** Loss weights (defaults: kl 0.1, gan 0.1, content 0.01). */
  lossWeights?: Partial<VSpSRLossWeights>;
  /** Optional GAN / VGG terms. */
  hooks?: VSpSRLossHooks;
  /** Seed of the training noise ε. Default 0. */
  seed?: number;
}

/** Losses of one step (numbers, read back after the update). */
export interface VSpSRStepResult {
  total: number;
  mse: number;
  klW: number | null;
  gradNorm: number;
}

/** A stateful trainer (owns the Adam slots; call `dispose()` when done). */
export interface VSpSRTrainer {
  /** One optimisation step on an LR/HR batch (NHWC, [0, 1]). */
  step(lr: tf.Tensor4D, hr: tf.Tensor4D): Promise<VSpSRStepResult>;
  /** Frees the Adam moment slots and puts the model back in eval mode; the model's weights stay. */
  dispose(): void;
}

/** Creates a trainer for `model` (its trainable variables are updated in place). */
export function createVSpSRTrainer(model: VSPSR, opts: VSpSRTrainerOptions = {}): VSpSRTrainer {
  const lr = opts.learningRate ?? 1e-4;
  const wd = opts.weightDecay ?? 1e-4;
  const clip = opts.clipNorm ?? 0.1;
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const rng: NormalRng = createNormalRng(opts.seed ?? 0);
  const vars = model.trainableVariables();
  const vspm = model.vspm;
  model.train(true);
  return {
    async step(lrImg, hr) {
      assertGradients();
      const s = vspm.config.scale;
      if (hr.shape[1] !== s * lrImg.shape[1] || hr.shape[2] !== s * lrImg.shape[2])
        throw new InputError(`train step: hr [${hr.shape}] must be ${s}× lr [${lrImg.shape}]`);
      const [b, h, w] = lrImg.shape;
      const epsShape = [b * 3, h, w, vspm.config.nBasis];
      const eps = tf.tensor(rng.normals(epsShape.reduce((a, c) => a * c, 1)), epsShape);
      let parts: { mse: tf.Scalar; klW: tf.Scalar | null } | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const enc = vspm.encode(lrImg);
        const out = vspm.decode(enc, { epsW: eps });
        const terms = vspsrLoss(out, hr, opts.lossWeights, opts.hooks);
        parts = { mse: tf.keep(terms.mse), klW: terms.klW ? tf.keep(terms.klW) : null };
        disposeRecord(enc);
        disposeRecord(out);
        return terms.total;
      }, vars);
      eps.dispose();
      // Summed pairwise, not with tf.addN: addN with 8+ inputs can be wrong on WebGPU (runtime notes, trap 1).
      const sq = tf.tidy(() => Object.values(grads).reduce((acc: tf.Tensor, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0)));
      const gradNorm = Math.sqrt((await sq.data())[0]);
      sq.dispose();
      const scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
      const update: { name: string; tensor: tf.Tensor }[] = [];
      for (const v of vars) {
        const g = grads[v.name];
        update.push({ name: v.name, tensor: tf.tidy(() => {
          const gs = scale === 1 ? g : tf.mul(g, scale);
          return wd > 0 ? tf.add(gs, tf.mul(v, wd)) : tf.clone(gs);
        }) });
      }
      optimizer.applyGradients(update);
      tf.dispose(Object.values(grads));
      tf.dispose(update.map((u) => u.tensor));
      const p = parts as unknown as { mse: tf.Scalar; klW: tf.Scalar | null };
      const result: VSpSRStepResult = {
        total: (await value.data())[0],
        mse: (await p.mse.data())[0],
        klW: p.klW ? (await p.klW.data())[0] : null,
        gradNorm,
      };
      tf.dispose([value, p.mse, ...(p.klW ? [p.klW] : [])]);
      return result;
    },
    dispose() {
      optimizer.dispose();
      model.train(false);
    },
  };
}
