import * as tf from '@tensorflow/tfjs-core';
import { Module, type Callable } from './module.js';
import { torchDefaultUniform } from './init.js';

/** A size given as one number or a `[h, w]` pair, as in PyTorch. */
export type Size2 = number | [number, number];
const pair = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Options of {@link Conv2d}; names and defaults follow `torch.nn.Conv2d`. */
export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
  /** `'zeros'` (default), `'reflect'` or `'replicate'`, as PyTorch's `padding_mode`. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate';
}

/**
 * `torch.nn.Conv2d` on NHWC tensors. Parameters `weight` (PyTorch `[out, in/groups, kh, kw]`,
 * stored as tfjs `[kh, kw, in/groups, out]`) and optional `bias`.
 */
export class Conv2d extends Module implements Callable {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: 'zeros' | 'reflect' | 'replicate';

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    opts: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    this.padding = pair(opts.padding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (inChannels % this.groups || outChannels % this.groups) throw new Error(`Conv2d: channels ${inChannels}→${outChannels} not divisible by groups ${this.groups}`);
    const fanIn = (inChannels / this.groups) * kh * kw;
    this.weight = this.param('weight', [outChannels, inChannels / this.groups, kh, kw], torchDefaultUniform(fanIn), 'conv2d');
    this.bias = (opts.bias ?? true) ? this.param('bias', [outChannels], torchDefaultUniform(fanIn)) : null;
  }

  /** Kernel size `[kh, kw]`. */
  get kernelSize(): [number, number] {
    return [this.weight.shape[0] as number, this.weight.shape[1] as number];
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      let input = x as tf.Tensor4D;
      if (input.shape[3] !== this.inChannels) throw new Error(`Conv2d expects ${this.inChannels} channels, got ${input.shape[3]} (input [${input.shape}])`);
      const [ph, pw] = this.padding;
      let pad: [[number, number], [number, number], [number, number], [number, number]] | 'valid' = 'valid';
      if (ph || pw) {
        if (this.paddingMode === 'zeros') pad = [[0, 0], [ph, ph], [pw, pw], [0, 0]];
        else input = tf.mirrorPad(input, [[0, 0], [ph, ph], [pw, pw], [0, 0]], this.paddingMode === 'reflect' ? 'reflect' : 'symmetric');
        if (this.paddingMode === 'replicate') throw new Error('Conv2d: replicate padding is not supported yet');
      }
      const w = this.weight as tf.Tensor4D;
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = tf.conv2d(input, w, this.stride, pad, 'NHWC', this.dilation);
      } else if (this.groups === this.inChannels && this.outChannels === this.inChannels) {
        // Depthwise: tfjs wants [kh, kw, in, multiplier].
        y = tf.depthwiseConv2d(input, tf.reshape(w, [w.shape[0], w.shape[1], this.inChannels, 1]) as tf.Tensor4D, this.stride, pad, 'NHWC', this.dilation);
      } else {
        const xs = tf.split(input, this.groups, 3);
        const ws = tf.split(w, this.groups, 3);
        y = tf.concat(
          xs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, ws[g] as tf.Tensor4D, this.stride, pad, 'NHWC', this.dilation)),
          3,
        );
      }
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}
