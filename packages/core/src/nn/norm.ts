import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, type Callable } from './module.js';
import { onesInit, zerosInit } from './init.js';

/** Options shared by {@link BatchNorm2d} and {@link InstanceNorm2d} (PyTorch names). */
export interface BatchNormOptions {
  eps?: number;
  /** Running-stat update factor; `null` = cumulative average (PyTorch `momentum=None`). */
  momentum?: number | null;
  /** Learnable per-channel `weight`/`bias`. */
  affine?: boolean;
  /** Keep `running_mean`/`running_var`/`num_batches_tracked` buffers and use them in eval mode. */
  trackRunningStats?: boolean;
}

function checkChannels(x: tf.Tensor, c: number, name: string): void {
  if (x.rank !== 4 || x.shape[3] !== c) throw new InputError(`${name} expects NHWC input with ${c} channels, got shape [${x.shape}]`);
}

/**
 * Shared machinery of batch and instance norm: affine parameters and running-stat buffers named as
 * in PyTorch's `_NormBase` (`weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`).
 * `num_batches_tracked` is int64 in PyTorch; it is an int32 buffer here and saved back as int64.
 */
abstract class NormBase extends Module implements Callable {
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly runningMean: tf.Variable | null;
  readonly runningVar: tf.Variable | null;
  readonly numBatchesTracked: tf.Variable | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions,
    defaults: { affine: boolean; track: boolean },
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? defaults.affine;
    const track = opts.trackRunningStats ?? defaults.track;
    this.weight = affine ? this.param('weight', [numFeatures], onesInit) : null;
    this.bias = affine ? this.param('bias', [numFeatures], zerosInit) : null;
    this.runningMean = track ? this.buffer('running_mean', [numFeatures], zerosInit) : null;
    this.runningVar = track ? this.buffer('running_var', [numFeatures], onesInit) : null;
    this.numBatchesTracked = track ? this.buffer('num_batches_tracked', [], (s) => tf.zeros(s, 'int32'), 'int32') : null;
  }

  /**
   * Updates the running stats from this batch's `mean` and unbiased `varUnbiased` (both `[C]`):
   * `running = (1 − m)·running + m·batch`, with `m = 1/num_batches_tracked` when momentum is null.
   */
  protected updateRunningStats(mean: tf.Tensor, varUnbiased: tf.Tensor): void {
    if (!this.runningMean || !this.runningVar || !this.numBatchesTracked) return;
    // Kept on the device (no dataSync: WebGPU in Node cannot read back synchronously).
    const nbt = this.numBatchesTracked;
    tf.tidy(() => {
      const n = tf.add(nbt, tf.scalar(1, 'int32'));
      nbt.assign(n);
      const m = this.momentum ?? tf.div(tf.scalar(1), tf.cast(n, 'float32'));
      const keep = typeof m === 'number' ? 1 - m : tf.sub(1, m);
      this.runningMean!.assign(tf.add(tf.mul(this.runningMean!, keep), tf.mul(mean, m)));
      this.runningVar!.assign(tf.add(tf.mul(this.runningVar!, keep), tf.mul(varUnbiased, m)));
    });
  }

  /** `(x − mean)/√(var + eps)·weight + bias` with broadcastable stats. */
  protected normalize(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor4D {
    const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
    const scaled = this.weight ? tf.mul(y, this.weight) : y;
    return (this.bias ? tf.add(scaled, this.bias) : scaled) as tf.Tensor4D;
  }

  /** Normalises an NHWC tensor over the layer's axes; the caller owns the result. */
  abstract forward(x: tf.Tensor): tf.Tensor4D;
}

/**
 * `torch.nn.BatchNorm2d` on NHWC (Ioffe & Szegedy 2015). Eval mode normalises with the running
 * stats; training mode (or `trackRunningStats: false`) with the batch's biased variance over
 * (N, H, W), and training updates the running variance with the unbiased one, as PyTorch does.
 */
export class BatchNorm2d extends NormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, { affine: true, track: true });
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkChannels(x, this.numFeatures, 'BatchNorm2d');
    return tf.tidy(() => {
      if (!this.training && this.runningMean && this.runningVar) return this.normalize(x, this.runningMean, this.runningVar);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      if (this.training && this.runningMean) {
        const count = x.size / this.numFeatures;
        if (count < 2) throw new InputError(`BatchNorm2d: expected more than 1 value per channel when training, got input [${x.shape}]`);
        this.updateRunningStats(mean, tf.mul(variance, count / (count - 1)));
      }
      return this.normalize(x, mean, variance);
    });
  }
}

/**
 * `torch.nn.InstanceNorm2d` on NHWC (Ulyanov et al. 2016): per-sample, per-channel stats over
 * (H, W). PyTorch defaults: no affine parameters, no running stats. With `trackRunningStats`, eval
 * mode uses the running stats and training updates them with the batch average of the instance stats.
 */
export class InstanceNorm2d extends NormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, { affine: false, track: false });
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkChannels(x, this.numFeatures, 'InstanceNorm2d');
    return tf.tidy(() => {
      if (!this.training && this.runningMean && this.runningVar) return this.normalize(x, this.runningMean, this.runningVar);
      const { mean, variance } = tf.moments(x, [1, 2], true);
      if (this.training && this.runningMean) {
        const count = (x.shape[1] as number) * (x.shape[2] as number);
        const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
        this.updateRunningStats(tf.mean(mean, [0, 1, 2]), tf.mean(unbiased, [0, 1, 2]));
      }
      return this.normalize(x, mean, variance);
    });
  }
}

/**
 * `torch.nn.GroupNorm` on NHWC (Wu & He 2018): channels split into `numGroups` consecutive groups
 * (PyTorch's order), stats per sample and group over (H, W, C/G), per-channel affine.
 */
export class GroupNorm extends Module implements Callable {
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly eps: number;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    opts: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (numChannels % numGroups) throw new InputError(`GroupNorm: ${numChannels} channels are not divisible by ${numGroups} groups`);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.param('weight', [numChannels], onesInit) : null;
    this.bias = affine ? this.param('bias', [numChannels], zerosInit) : null;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    checkChannels(x, this.numChannels, 'GroupNorm');
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape as number[];
      const g = this.numGroups;
      const xg = tf.reshape(x, [n, h, w, g, c / g]);
      const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
      const y = tf.reshape(tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, this.eps))), [n, h, w, c]);
      const scaled = this.weight ? tf.mul(y, this.weight) : y;
      return (this.bias ? tf.add(scaled, this.bias) : scaled) as tf.Tensor4D;
    });
  }
}

/**
 * `torch.nn.LayerNorm` over the trailing `normalizedShape` axes (Ba et al. 2016), e.g. the channel
 * axis of NHWC features or of `[B, L, C]` tokens as in transformers/SwinIR. Biased variance, as PyTorch.
 */
export class LayerNorm extends Module implements Callable {
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly normalizedShape: number[];
  readonly eps: number;

  constructor(normalizedShape: number | number[], opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', this.normalizedShape, onesInit) : null;
    this.bias = affine && (opts.bias ?? true) ? this.param('bias', this.normalizedShape, zerosInit) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.join() !== this.normalizedShape.join())
      throw new InputError(`LayerNorm expects trailing shape [${this.normalizedShape}], got input [${x.shape}]`);
    return tf.tidy(() => {
      const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
      const { mean, variance } = tf.moments(x, axes, true);
      const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      const scaled = this.weight ? tf.mul(y, this.weight) : y;
      return this.bias ? tf.add(scaled, this.bias) : scaled;
    });
  }
}
