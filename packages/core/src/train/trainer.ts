import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted } from '../errors/index.js';
import { yieldToEventLoop } from '../limits/memory-plan.js';
import { ensureGradients } from './gradients.js';
import { createRng, type Rng } from './rng.js';
import { stepDecay, setLearningRate } from './schedule.js';
import { disposeBatch, sampleImplicitBatch, type ImplicitBatchOptions, type TrainImage } from './crop-sampler.js';
import { l1TrainStep, type ImplicitTrainable } from './l1-step.js';

/** Progress of {@link trainImplicit}. */
export interface TrainProgress {
  stage: 'train';
  done: number;
  total: number;
  loss: number;
  lr: number;
}

/** Options of {@link trainImplicit}; defaults are LIIF's (Adam 1e-4, halved at 20/40/60/80 % of the run). */
export interface TrainImplicitOptions extends ImplicitBatchOptions {
  steps: number;
  /** Seed or generator for every random choice (default seed 0). */
  rng?: Rng | number;
  /** Learning rate per step (default: `stepDecay` from 1e-4 with milestones at 20/40/60/80 % of `steps`). */
  lr?: (step: number) => number;
  /** Optimizer to use (default a new Adam, disposed at the end). */
  optimizer?: tf.Optimizer;
  /** Stops training before the next step with an `AbortError`. */
  signal?: AbortSignal;
  /** Called after every optimizer step with the step's L1 loss and the learning rate it used. */
  onProgress?: (p: TrainProgress) => void;
}

/**
 * Trains an implicit decoder (with its encoder) with L1 on random-scale crops — LIIF's `train.py` loop
 * with the {@link sampleImplicitBatch} protocol. Returns the per-step losses.
 */
export async function trainImplicit(model: ImplicitTrainable, images: TrainImage[], opts: TrainImplicitOptions): Promise<number[]> {
  await ensureGradients();
  const rng = typeof opts.rng === 'object' ? opts.rng : createRng(opts.rng ?? 0);
  const steps = opts.steps;
  const lr = opts.lr ?? stepDecay({ initial: 1e-4, milestones: [0.2, 0.4, 0.6, 0.8].map((f) => Math.round(f * steps)) });
  const optimizer = opts.optimizer ?? tf.train.adam(lr(0));
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      if (step > 0) await yieldToEventLoop(); // a timer-fired abort lands between steps
      throwIfAborted(opts.signal);
      setLearningRate(optimizer, lr(step));
      const batch = sampleImplicitBatch(images, rng, opts);
      try {
        losses.push(await l1TrainStep(model, optimizer, batch));
      } finally {
        disposeBatch(batch);
      }
      opts.onProgress?.({ stage: 'train', done: step + 1, total: steps, loss: losses[step], lr: lr(step) });
    }
  } finally {
    if (!opts.optimizer) optimizer.dispose();
  }
  return losses;
}
