import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's default initialisation for Conv/Linear (`kaiming_uniform_(a=√5)` for weights and the
 * matching bias rule): both reduce to U(−1/√fan_in, 1/√fan_in).
 */
export function torchDefaultUniform(fanIn: number): (shape: number[]) => tf.Tensor {
  const bound = 1 / Math.sqrt(Math.max(1, fanIn));
  return (shape) => tf.randomUniform(shape, -bound, bound, 'float32');
}

/** Constant initialiser. */
export function constantInit(value: number): (shape: number[]) => tf.Tensor {
  return (shape) => tf.fill(shape, value);
}

/** Zeros initialiser (used for zero-initialised residual branches). */
export const zerosInit = (shape: number[]): tf.Tensor => tf.zeros(shape);
/** Ones initialiser. */
export const onesInit = (shape: number[]): tf.Tensor => tf.ones(shape);
