import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, ModuleList, Sequential, type Callable } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { pixelShuffle } from '../nn/pixel-shuffle.js';
import { DIV2K_RGB_MEAN } from './edsr.js';
import type { Backbone } from './backbone.js';

/** mmedit's `ResidualBlockNoBN`: `x + res_scale · conv2(relu(conv1(x)))`. */
export class ResidualBlockNoBN extends Module implements Callable {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(
    midChannels = 64,
    readonly resScale = 1,
  ) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(midChannels, midChannels, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(midChannels, midChannels, 3, { padding: 1 }));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const out = this.conv2.forward(tf.relu(this.conv1.forward(x)));
      return tf.add(x, this.resScale === 1 ? out : tf.mul(out, this.resScale)) as tf.Tensor4D;
    });
  }
}

/** mmedit's `PixelShufflePack`: `upsample_conv` (→ out·r²) then PixelShuffle(r). */
export class PixelShufflePack extends Module implements Callable {
  readonly upsampleConv: Conv2d;
  constructor(
    inChannels: number,
    outChannels: number,
    readonly scaleFactor: number,
    upsampleKernel = 3,
  ) {
    super();
    this.upsampleConv = this.child(
      'upsample_conv',
      new Conv2d(inChannels, outChannels * scaleFactor * scaleFactor, upsampleKernel, { padding: (upsampleKernel - 1) >> 1 }),
    );
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => pixelShuffle(this.upsampleConv.forward(x), this.scaleFactor));
  }
}

/** Options of {@link MmeditEDSR}; defaults are mmedit's. */
export interface MmeditEDSROptions {
  inChannels?: number;
  outChannels?: number;
  midChannels?: number;
  numBlocks?: number;
  upscaleFactor?: number;
  resScale?: number;
  rgbMean?: readonly number[];
  rgbStd?: readonly number[];
  /**
   * Encoder mode as CiaoSR's `LocalImplicitSREDSR` uses it: `upsample`/`conv_last` are deleted and
   * `forward` = `encode` (no internal mean/std normalisation: CiaoSR's restorer normalises instead).
   */
  encoder?: boolean;
}

/**
 * EDSR (Lim et al. 2017) as implemented in mmediting (`mmedit/models/backbones/sr_backbones/edsr.py`,
 * commit 941e79b): `conv_first`, `body.i.conv{1,2}`, `conv_after_body`, `upsample.k.upsample_conv`,
 * `conv_last`. The full forward normalises with (x − mean)/std inside and undoes it at the end
 * (mean/std are plain tensors, not state-dict entries); CiaoSR keeps only the feature part
 * (notes §4.5: F = conv_after_body(body(conv_first(x))) + conv_first(x)).
 */
export class MmeditEDSR extends Module implements Callable, Backbone {
  readonly convFirst: Conv2d;
  readonly body: Sequential;
  readonly convAfterBody: Conv2d;
  readonly upsample: ModuleList<PixelShufflePack> | null;
  readonly convLast: Conv2d | null;
  readonly inChannels: number;
  readonly midChannels: number;
  readonly numBlocks: number;
  readonly rgbMean: readonly number[];
  readonly rgbStd: readonly number[];

  constructor(opts: MmeditEDSROptions = {}) {
    super();
    this.inChannels = opts.inChannels ?? 3;
    this.midChannels = opts.midChannels ?? 64;
    this.numBlocks = opts.numBlocks ?? 16;
    this.rgbMean = opts.rgbMean ?? DIV2K_RGB_MEAN;
    this.rgbStd = opts.rgbStd ?? [1, 1, 1];
    const mid = this.midChannels;
    this.convFirst = this.child('conv_first', new Conv2d(this.inChannels, mid, 3, { padding: 1 }));
    this.body = this.child('body', new Sequential());
    for (let i = 0; i < this.numBlocks; i++) this.body.add(String(i), new ResidualBlockNoBN(mid, opts.resScale ?? 1));
    this.convAfterBody = this.child('conv_after_body', new Conv2d(mid, mid, 3, { padding: 1 }));
    if (opts.encoder) {
      this.upsample = null;
      this.convLast = null;
      return;
    }
    const scale = opts.upscaleFactor ?? 4;
    this.upsample = this.child('upsample', new ModuleList<PixelShufflePack>());
    if (Number.isInteger(Math.log2(scale)) && scale >= 1) for (let i = 0; i < Math.log2(scale); i++) this.upsample.push(new PixelShufflePack(mid, mid, 2));
    else if (scale === 3) this.upsample.push(new PixelShufflePack(mid, mid, 3));
    else throw new InputError(`mmedit EDSR supports scales 2^n and 3, got ${scale}`);
    this.convLast = this.child('conv_last', new Conv2d(mid, opts.outChannels ?? 3, 3, { padding: 1 }));
  }

  get channels(): number {
    return this.midChannels;
  }

  /** conv_first (1) + two convs per block + conv_after_body (1), in LR pixels. */
  get receptiveField(): number {
    return 2 + 2 * this.numBlocks;
  }

  /** `conv_after_body(body(conv_first(x))) + conv_first(x)` on an already-normalised input. */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) throw new InputError(`EDSR expects NHWC input with ${this.inChannels} channels, got [${x.shape}]`);
    return tf.tidy(() => {
      const f = this.convFirst.forward(x);
      return tf.add(this.convAfterBody.forward(this.body.forward(f)), f) as tf.Tensor4D;
    });
  }

  /** Encoder mode: {@link MmeditEDSR.encode}. Full mode: mmedit's forward with internal (de)normalisation. */
  forward(x: tf.Tensor): tf.Tensor4D {
    if (!this.upsample || !this.convLast) return this.encode(x as tf.Tensor4D);
    return tf.tidy(() => {
      const mean = tf.tensor1d(this.rgbMean as number[]);
      const std = tf.tensor1d(this.rgbStd as number[]);
      let h = this.encode(tf.div(tf.sub(x, mean), std) as tf.Tensor4D);
      for (const up of this.upsample!.items) h = up.forward(h);
      return tf.add(tf.mul(this.convLast!.forward(h), std), mean) as tf.Tensor4D;
    });
  }
}
