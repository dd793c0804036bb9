import * as tf from '@tensorflow/tfjs-core';
import { Module, type Callable } from './module.js';
import { torchDefaultUniform } from './init.js';

/**
 * `torch.nn.Linear`: `y = x Wᵀ + b` over the last axis of an input of any rank. The weight is
 * PyTorch `[out, in]`, stored as tfjs `[in, out]`.
 */
export class Linear extends Module implements Callable {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    this.weight = this.param('weight', [outFeatures, inFeatures], torchDefaultUniform(inFeatures), 'linear');
    this.bias = (opts.bias ?? true) ? this.param('bias', [outFeatures], torchDefaultUniform(inFeatures)) : null;
  }

  /**
   * `[..., in]` → `[..., out]`. With `activation: 'relu'` the ReLU is fused into the matMul+bias
   * (`tf.fused.matMul`: one kernel on WebGPU/WASM, the same values as the separate ops).
   */
  forward(x: tf.Tensor, activation?: 'relu'): tf.Tensor {
    return tf.tidy(() => {
      const last = x.shape[x.rank - 1];
      if (last !== this.inFeatures) throw new Error(`Linear expects ${this.inFeatures} features, got ${last} (input [${x.shape}])`);
      const lead = x.shape.slice(0, -1);
      const a = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      const y = tf.fused.matMul({ a, b: this.weight as tf.Tensor2D, bias: this.bias ?? undefined, activation: activation ?? 'linear' });
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
