/**
 * Losses and single training steps for both LAR-SR stages (paper §3.5). The official training
 * script is not released; what is fixed by the released code is followed, the rest is an option:
 * - Stage 1 (eq. 2): reconstruction `‖x − x̂‖` (L1 or L2: the paper does not say; default L1) plus
 *   `β·‖sg[ŷ] − y‖²` (commitment; β not given: VQ-VAE's 0.25). The codebook term `‖sg[y] − ŷ‖` is
 *   replaced by EMA codebook updates, as in the code. `‖x_c − x‖` is constant (the coarse RRDB is
 *   frozen and detached in the code) and omitted.
 * - Stage 2: cross-entropy between the teacher-forced logits and the Stage-1 indices of the HR image.
 * - Optimiser (paper): Adam β₁ 0.9, β₂ 0.99, lr 1e-4 (Stage 2: 1e-4 then 1e-5); the paper's weight
 *   decay 1e-7 is negligible and tfjs's Adam has none.
 * Call `await ensureGradients()` (from `@sr/core`) once before the first step.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertGradients, oneHotFloat } from '@sr/core';
import type { LocalAR } from './local-ar.js';
import type { TexVQVAE } from './vqvae.js';

/** Options of the Stage-1 loss. */
export interface Stage1LossOptions {
  /** Commitment weight β (default: the model's `config.beta`, 0.25). */
  beta?: number;
  /** Reconstruction norm (default 'l1'). */
  pixelLoss?: 'l1' | 'l2';
}

/** Stage-1 loss terms (scalars; the caller disposes). */
export interface Stage1Loss {
  total: tf.Scalar;
  reconstruction: tf.Scalar;
  commitment: tf.Scalar;
}

/** Paper eq. 2 as used with an EMA codebook: `‖hr − D(q, x_c) − x_c‖ + β·mean((sg[q] − y)²)`. */
export function stage1Loss(vq: TexVQVAE, hr: tf.Tensor4D, xc: tf.Tensor4D, opts: Stage1LossOptions = {}): Stage1Loss & { indices: tf.Tensor3D; zE: tf.Tensor4D } {
  return tf.tidy(() => {
    const r = vq.forward(hr, xc);
    const d = tf.sub(r.out, hr);
    const reconstruction = tf.mean(opts.pixelLoss === 'l2' ? tf.square(d) : tf.abs(d)) as tf.Scalar;
    const commitment = tf.mul(r.diff, opts.beta ?? vq.config.beta) as tf.Scalar;
    return { total: tf.add(reconstruction, commitment) as tf.Scalar, reconstruction, commitment, indices: r.indices, zE: r.zE };
  });
}

/**
 * Cross-entropy of teacher-forced logits `[B, H, W, K]` against indices `[B, H, W]` (mean over
 * positions), i.e. `−log P(I | x_c)` per position.
 */
export function indexCrossEntropy(logits: tf.Tensor, ids: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[logits.rank - 1]!;
    const logp = tf.logSoftmax(tf.reshape(logits, [-1, k]));
    const onehot = oneHotFloat(ids, k);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
  });
}

/** The paper's optimiser: Adam(lr, β₁ = 0.9, β₂ = 0.99). */
export function createLarOptimizer(learningRate = 1e-4): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.99);
}

/**
 * One Stage-1 step: a gradient step on the encoder/decoder, then one EMA codebook update from the
 * same batch's latents (the official `Quantize` updates in its forward; the decoder input of this
 * step used the codebook before the update, as there). Resolves to the loss values (read
 * asynchronously: WebGPU in Node cannot read tensors synchronously).
 */
export async function stage1Step(vq: TexVQVAE, optimizer: tf.Optimizer, hr: tf.Tensor4D, xc: tf.Tensor4D, opts: Stage1LossOptions = {}): Promise<{ total: number; reconstruction: number; commitment: number }> {
  assertGradients();
  vq.train();
  let kept: tf.Tensor[] = [];
  try {
    const total = optimizer.minimize(() => {
      const l = stage1Loss(vq, hr, xc, opts);
      kept = [l.zE, l.indices, l.reconstruction, l.commitment].map((t) => tf.keep(t));
      return l.total;
    }, true, vq.trainableVariables())!;
    vq.quantizeB.emaUpdate(kept[0]!, kept[1]!);
    const [t, r, c] = await Promise.all([total, kept[2]!, kept[3]!].map((x) => x.data()));
    total.dispose();
    return { total: t![0]!, reconstruction: r![0]!, commitment: c![0]! };
  } finally {
    tf.dispose(kept);
    vq.eval();
  }
}

/**
 * One Stage-2 step: teacher-forced cross-entropy of the LAR module on the Stage-1 indices of the HR
 * image (`ids` `[B, H/2, W/2]`) given x_c. The VQ-VAE is frozen (compute `ids` with
 * `vq.encode(hr, xc).indices`). Resolves to the loss value.
 */
export async function stage2Step(lar: LocalAR, optimizer: tf.Optimizer, ids: tf.Tensor, xc: tf.Tensor4D): Promise<number> {
  assertGradients();
  lar.train();
  try {
    const loss = optimizer.minimize(() => indexCrossEntropy(lar.forward(ids, xc), ids), true, lar.trainableVariables())!;
    const value = (await loss.data())[0]!;
    loss.dispose();
    return value;
  } finally {
    lar.eval();
  }
}
