import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, Sequential, type Callable } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { ReLU } from '../nn/activation.js';
import { PixelShuffle } from '../nn/pixel-shuffle.js';
import type { Backbone } from './backbone.js';

/** LIIF/EDSR-PyTorch `default_conv`: a k×k convolution with 'same' zero padding. */
export function defaultConv(inCh: number, outCh: number, k: number, bias = true): Conv2d {
  return new Conv2d(inCh, outCh, k, { padding: Math.floor(k / 2), bias });
}

/** DIV2K RGB mean used by EDSR-PyTorch's `MeanShift` (and as CiaoSR's external normalisation). */
export const DIV2K_RGB_MEAN: readonly [number, number, number] = [0.4488, 0.4371, 0.404];

/**
 * EDSR-PyTorch's `MeanShift`: a frozen 1×1 conv (`weight` = I/std, `bias` = sign·rgb_range·mean/std).
 * Registered so official state dicts (which contain `sub_mean.*`/`add_mean.*`) load strictly; its
 * parameters are not trainable, as in the official code (`requires_grad = False`).
 */
export class MeanShift extends Module implements Callable {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(rgbRange = 1, rgbMean: readonly number[] = DIV2K_RGB_MEAN, rgbStd: readonly number[] = [1, 1, 1], sign: 1 | -1 = -1) {
    super();
    const eye = [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => v / rgbStd[i % 3]);
    // tfjs layout [1, 1, in, out]: entry (in=i, out=o) = δ(i,o)/std(o).
    this.weight = this.param('weight', [3, 3, 1, 1], (s) => tf.tensor(eye, s), 'conv2d', { trainable: false });
    this.bias = this.param('bias', [3], (s) => tf.tensor(rgbMean.map((m, i) => (sign * rgbRange * m) / rgbStd[i]), s), 'plain', { trainable: false });
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.add(tf.conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, 1, 'valid'), this.bias) as tf.Tensor4D);
  }
}

/** EDSR residual block without batch norm: `x + res_scale · conv(relu(conv(x)))` (Lim et al. 2017, Fig. 2). */
export class ResBlock extends Module implements Callable {
  readonly body: Sequential;
  constructor(
    nFeats: number,
    kernelSize = 3,
    readonly resScale = 1,
  ) {
    super();
    this.body = this.child('body', new Sequential());
    this.body.add('0', defaultConv(nFeats, nFeats, kernelSize)).add('1', new ReLU()).add('2', defaultConv(nFeats, nFeats, kernelSize));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const res = this.body.forward(x);
      return tf.add(this.resScale === 1 ? res : tf.mul(res, this.resScale), x) as tf.Tensor4D;
    });
  }
}

/**
 * EDSR-PyTorch's `Upsampler`: for 2ⁿ, n × [conv → 4C, PixelShuffle(2)] (children `0, 1, 2, 3, …`);
 * for ×3, conv → 9C and PixelShuffle(3).
 */
export class Upsampler extends Sequential {
  constructor(scale: number, nFeats: number) {
    super();
    if (Number.isInteger(Math.log2(scale)) && scale >= 1) {
      for (let i = 0; i < Math.log2(scale); i++) {
        this.add(String(2 * i), defaultConv(nFeats, 4 * nFeats, 3));
        this.add(String(2 * i + 1), new PixelShuffle(2));
      }
    } else if (scale === 3) {
      this.add('0', defaultConv(nFeats, 9 * nFeats, 3));
      this.add('1', new PixelShuffle(3));
    } else {
      throw new InputError(`EDSR upsampler supports scales 2^n and 3, got ${scale}`);
    }
  }
}

/** Options of {@link EDSR}; defaults are LIIF's `make_edsr_baseline`. */
export interface EDSROptions {
  nResblocks?: number;
  nFeats?: number;
  resScale?: number;
  /** Upsampling factor of the tail (ignored with `noUpsampling`). */
  scale?: number;
  /** Encoder mode: no tail; `forward` returns `nFeats` LR features (LIIF/LTE encoders). */
  noUpsampling?: boolean;
  rgbRange?: number;
  nColors?: number;
}

/**
 * EDSR (Lim et al., "Enhanced Deep Residual Networks for Single Image Super-Resolution", CVPRW 2017)
 * exactly as in LIIF's `models/edsr.py` (EDSR-PyTorch naming): `head.0`, `body.0…n−1` residual
 * blocks, `body.n` conv, the global skip from the head output, and `tail.0` (Upsampler) + `tail.1`
 * (conv → RGB). `sub_mean`/`add_mean` exist in the state dict but are NOT applied: LIIF comments
 * them out in `forward` and normalises inputs externally with (x − 0.5)/0.5 (code differs from the
 * EDSR paper, which subtracts the DIV2K mean; we follow the code).
 */
export class EDSR extends Module implements Callable, Backbone {
  readonly subMean: MeanShift;
  readonly addMean: MeanShift;
  readonly head: Sequential;
  readonly body: Sequential;
  readonly tail: Sequential | null;
  readonly nResblocks: number;
  readonly nFeats: number;
  readonly scale: number;
  readonly noUpsampling: boolean;
  readonly nColors: number;

  constructor(opts: EDSROptions = {}) {
    super();
    this.nResblocks = opts.nResblocks ?? 16;
    this.nFeats = opts.nFeats ?? 64;
    this.scale = opts.scale ?? 2;
    this.noUpsampling = opts.noUpsampling ?? false;
    this.nColors = opts.nColors ?? 3;
    const resScale = opts.resScale ?? 1;
    this.subMean = this.child('sub_mean', new MeanShift(opts.rgbRange ?? 1));
    this.addMean = this.child('add_mean', new MeanShift(opts.rgbRange ?? 1, DIV2K_RGB_MEAN, [1, 1, 1], 1));
    this.head = this.child('head', new Sequential([defaultConv(this.nColors, this.nFeats, 3)]));
    this.body = this.child('body', new Sequential());
    for (let i = 0; i < this.nResblocks; i++) this.body.add(String(i), new ResBlock(this.nFeats, 3, resScale));
    this.body.add(String(this.nResblocks), defaultConv(this.nFeats, this.nFeats, 3));
    this.tail = this.noUpsampling
      ? null
      : this.child('tail', new Sequential([new Upsampler(this.scale, this.nFeats), defaultConv(this.nFeats, this.nColors, 3)]));
  }

  /** Feature channels of {@link EDSR.encode}. */
  get channels(): number {
    return this.nFeats;
  }

  /** Head conv (1) + two 3×3 convs per block + body conv (1), in LR pixels. */
  get receptiveField(): number {
    return 2 + 2 * this.nResblocks;
  }

  /** LR features `head(x) + body(head(x))`, `[B, h, w, nFeats]` (the tail is never applied). */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.nColors) throw new InputError(`EDSR expects NHWC input with ${this.nColors} channels, got [${x.shape}]`);
    return tf.tidy(() => {
      const h = this.head.forward(x);
      return tf.add(this.body.forward(h), h) as tf.Tensor4D;
    });
  }

  /** The official forward: features, then the tail unless `noUpsampling`. */
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const f = this.encode(x as tf.Tensor4D);
      return this.tail ? (this.tail.forward(f) as tf.Tensor4D) : f;
    });
  }
}
