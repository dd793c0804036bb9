import * as tf from '@tensorflow/tfjs-core';
import type { DataNorm } from '../decoders/liif.js';
import { assertGradients } from './gradients.js';
import type { ImplicitBatch } from './crop-sampler.js';

/** What {@link l1TrainStep} trains: LIIF, LTE or any model with the same call (`model(inp, coord, cell)`). */
export interface ImplicitTrainable {
  /**
   * RGB predictions `[B, Q, 3]` for a normalised LR batch `inp` `[B, h, w, 3]` at query coordinates
   * `coord` `[B, Q, 2]` ((y, x) in `[-1, 1]`) with pixel sizes `cell` `[B, Q, 2]` — LIIF's `model(inp, coord, cell)`.
   * Runs inside the optimizer's gradient tape, so it must be built from differentiable tfjs ops only.
   */
  forward(inp: tf.Tensor4D, coord: tf.Tensor3D, cell: tf.Tensor3D): tf.Tensor3D;
  /** The variables the optimizer updates (all parameters of encoder and decoder, as in the official training). */
  trainableVariables(): tf.Variable[];
  /** Normalisation of input and target (LIIF/LTE: `(x − 0.5)/0.5` for both). */
  dataNorm?: { inp: DataNorm; gt: DataNorm };
}

/** The L1 loss of a batch, `mean |model(norm(inp), coord, cell) − norm(gt)|` (a scalar tensor). */
export function l1Loss(model: ImplicitTrainable, batch: ImplicitBatch): tf.Scalar {
  return tf.tidy(() => {
    const norm = model.dataNorm ?? { inp: { sub: 0.5, div: 0.5 }, gt: { sub: 0.5, div: 0.5 } };
    const inp = tf.div(tf.sub(batch.inp, norm.inp.sub), norm.inp.div) as tf.Tensor4D;
    const gt = tf.div(tf.sub(batch.gt, norm.gt.sub), norm.gt.div);
    const pred = model.forward(inp, batch.coord, batch.cell);
    return tf.mean(tf.abs(tf.sub(pred, gt))) as tf.Scalar;
  });
}

/**
 * One optimisation step of the LIIF/LTE/CiaoSR training (official `train.py`): normalise, predict the
 * sampled queries, L1 against the normalised ground truth (`nn.L1Loss`), back-propagate, update with
 * `optimizer` (Adam, lr 1e-4 in the papers). Returns the loss value; leaves no tensors behind. Call
 * `await ensureGradients()` once before the first step.
 */
export async function l1TrainStep(model: ImplicitTrainable, optimizer: tf.Optimizer, batch: ImplicitBatch): Promise<number> {
  assertGradients();
  const loss = optimizer.minimize(() => l1Loss(model, batch), true, model.trainableVariables());
  if (!loss) throw new Error('optimizer.minimize returned no loss');
  try {
    return (await loss.data())[0];
  } finally {
    loss.dispose();
  }
}
