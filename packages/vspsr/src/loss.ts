/**
 * VSpSR training objective (official `models/__init__.py: build_loss` and `models/vspsr.py:
 * SetCriterion`; paper eq. 6 reconstructed in notes §2.1):
 *
 *   L = MSE(pred, HR) + kl·mean(KL_w) [+ kl·mean(KL_z)] + gan·L_G + content·L_C
 *
 * with defaults kl = 0.1, gan = 0.1, content = 0.01. MSE is the Gaussian NLL with fixed variance;
 * KL_w (per element, with the DETACHED closed-form E[ρ]) comes from {@link VSPM.decode}. The GAN
 * (LSGAN: MSE of D(pred) to 1) and VGG19-relu5_4 content terms need a discriminator / pretrained VGG,
 * so they are hooks supplied by the caller.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { VSpMOutput } from './vspm.js';

/** Weights of the loss terms (official defaults). */
export interface VSpSRLossWeights {
  /** `kl_weight`, applied to both KL_w and KL_z. Default 0.1. */
  kl: number;
  /** `G_weight` (LSGAN generator term). Default 0.1; only used with a `generator` hook. */
  gan: number;
  /** `C_weight` (VGG content term). Default 0.01; only used with a `content` hook. */
  content: number;
}

/** Official loss weights. */
export const VSPSR_LOSS_WEIGHTS: VSpSRLossWeights = { kl: 0.1, gan: 0.1, content: 0.01 };

/** Optional adversarial / perceptual terms. Each returns a scalar built from `pred` (keeps gradients). */
export interface VSpSRLossHooks {
  /** LSGAN generator loss, e.g. `mean((D(pred) − 1)²)` with the official Discriminator. */
  generator?: (pred: tf.Tensor4D) => tf.Scalar;
  /** Content loss, e.g. MSE of VGG19 relu5_4 features of pred and hr (raw [0,1] inputs, as official). */
  content?: (pred: tf.Tensor4D, hr: tf.Tensor4D) => tf.Scalar;
}

/** Loss terms (scalars; the caller disposes them, or computes them inside `tf.tidy`). */
export interface VSpSRLossTerms {
  total: tf.Scalar;
  mse: tf.Scalar;
  klW: tf.Scalar | null;
  klZ: tf.Scalar | null;
  generator: tf.Scalar | null;
  content: tf.Scalar | null;
}

/** Computes the VSpSR loss terms for one forward pass against the HR target `[B, sH, sW, 3]`. */
export function vspsrLoss(
  out: VSpMOutput,
  hr: tf.Tensor4D,
  weights: Partial<VSpSRLossWeights> = {},
  hooks: VSpSRLossHooks = {},
): VSpSRLossTerms {
  const w = { ...VSPSR_LOSS_WEIGHTS, ...weights };
  if (out.pred.shape.join() !== hr.shape.join()) throw new Error(`vspsrLoss: pred [${out.pred.shape}] and hr [${hr.shape}] differ`);
  return tf.tidy(() => {
    const mse = tf.mean(tf.squaredDifference(out.pred, hr)) as tf.Scalar;
    const klW = out.klW ? (tf.mean(out.klW) as tf.Scalar) : null;
    const klZ = out.klZ ? (tf.mean(out.klZ) as tf.Scalar) : null;
    const generator = hooks.generator ? hooks.generator(out.pred) : null;
    const content = hooks.content ? hooks.content(out.pred, hr) : null;
    let total: tf.Tensor = mse;
    if (klW) total = tf.add(total, tf.mul(w.kl, klW));
    if (klZ) total = tf.add(total, tf.mul(w.kl, klZ));
    if (generator) total = tf.add(total, tf.mul(w.gan, generator));
    if (content) total = tf.add(total, tf.mul(w.content, content));
    return { total: total as tf.Scalar, mse, klW, klZ, generator, content } as never;
  }) as VSpSRLossTerms;
}
