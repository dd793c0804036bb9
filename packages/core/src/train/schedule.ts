import type * as tf from '@tensorflow/tfjs-core';

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Learning rate before the first milestone (LIIF: 1e-4). */
  initial: number;
  /** Steps (or epochs) at which the rate is multiplied by `gamma` (LIIF: epochs 200, 400, 600, 800). */
  milestones: number[];
  /** Factor per milestone (LIIF: 0.5). */
  gamma?: number;
}

/**
 * PyTorch's `MultiStepLR` as a pure function of the step: `initial · gamma^(number of milestones ≤ step)`.
 * LIIF, LTE and CiaoSR train with Adam at 1e-4 halved at epochs 200/400/600/800 of 1000.
 */
export function stepDecay(opts: StepDecayOptions): (step: number) => number {
  const gamma = opts.gamma ?? 0.5;
  const ms = [...opts.milestones].sort((a, b) => a - b);
  return (step: number) => {
    let n = 0;
    while (n < ms.length && step >= ms[n]) n++;
    return opts.initial * gamma ** n;
  };
}

/**
 * Sets the learning rate of a tfjs optimizer (Adam, SGD, … keep it in a `learningRate` field read at
 * every `applyGradients`), so a schedule can drive one optimizer without resetting its moments.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (!(lr >= 0)) throw new RangeError(`learning rate must be ≥ 0, got ${lr}`);
  const o = optimizer as unknown as { learningRate?: number };
  if (typeof o.learningRate !== 'number') throw new TypeError(`${optimizer.getClassName()} has no numeric learningRate field`);
  o.learningRate = lr;
}
