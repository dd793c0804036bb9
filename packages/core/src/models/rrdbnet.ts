import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, Sequential, type Callable } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { interpolate } from '../nn/interpolate.js';
import { pixelUnshuffle } from '../nn/pixel-shuffle.js';
import type { StateDict } from '../io/tensor-data.js';
import type { Backbone } from './backbone.js';

/**
 * BasicSR's `default_init_weights(module, scale)` for convolutions: Kaiming-normal (fan-in, ReLU
 * gain √2) scaled by `scale`, zero bias. ESRGAN uses scale 0.1 in every dense block so the deep
 * residual-in-residual trunk starts near identity (Wang et al. 2018, §3.1).
 */
export function defaultInitWeights(convs: Conv2d[], scale = 1): void {
  for (const c of convs) {
    const [kh, kw, cin] = c.weight.shape as number[];
    const std = Math.sqrt(2 / (kh * kw * cin)) * scale;
    // Box–Muller in plain JS: tf.randomNormal's per-sample generator takes ~30 s for ESRGAN's 16.6M weights.
    const data = new Float32Array(c.weight.size);
    for (let i = 0; i < data.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - Math.random()));
      const t = 2 * Math.PI * Math.random();
      data[i] = r * Math.cos(t) * std;
      if (i + 1 < data.length) data[i + 1] = r * Math.sin(t) * std;
    }
    tf.tidy(() => {
      c.weight.assign(tf.tensor(data, c.weight.shape, 'float32'));
      if (c.bias) c.bias.assign(tf.zerosLike(c.bias));
    });
  }
}

/**
 * ESRGAN's residual dense block (BasicSR `ResidualDenseBlock`): x1..x4 = lrelu₀.₂(conv_k(cat(x, x1…))),
 * x5 = conv5(cat(x, x1…x4)); returns x5·0.2 + x.
 */
export class ResidualDenseBlock extends Module implements Callable {
  readonly convs: Conv2d[];
  constructor(numFeat = 64, numGrowCh = 32) {
    super();
    this.convs = [0, 1, 2, 3, 4].map((i) =>
      this.child(`conv${i + 1}`, new Conv2d(numFeat + i * numGrowCh, i === 4 ? numFeat : numGrowCh, 3, { padding: 1 })),
    );
    defaultInitWeights(this.convs, 0.1);
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const feats: tf.Tensor[] = [x];
      for (let i = 0; i < 4; i++) feats.push(tf.leakyRelu(this.convs[i].forward(feats.length === 1 ? x : tf.concat(feats, 3)), 0.2));
      const x5 = this.convs[4].forward(tf.concat(feats, 3));
      return tf.add(tf.mul(x5, 0.2), x) as tf.Tensor4D;
    });
  }
}

/** Residual-in-residual dense block (ESRGAN Fig. 4): rdb3(rdb2(rdb1(x)))·0.2 + x. */
export class RRDB extends Module implements Callable {
  readonly rdb1: ResidualDenseBlock;
  readonly rdb2: ResidualDenseBlock;
  readonly rdb3: ResidualDenseBlock;
  constructor(numFeat: number, numGrowCh = 32) {
    super();
    this.rdb1 = this.child('rdb1', new ResidualDenseBlock(numFeat, numGrowCh));
    this.rdb2 = this.child('rdb2', new ResidualDenseBlock(numFeat, numGrowCh));
    this.rdb3 = this.child('rdb3', new ResidualDenseBlock(numFeat, numGrowCh));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.add(tf.mul(this.rdb3.forward(this.rdb2.forward(this.rdb1.forward(x))), 0.2), x) as tf.Tensor4D);
  }
}

/** Options of {@link RRDBNet}; defaults are BasicSR's (ESRGAN ×4: 23 blocks, 64 feats, growth 32). */
export interface RRDBNetOptions {
  numInCh?: number;
  numOutCh?: number;
  /** 4 (plain input), 2 or 1 (input pixel-unshuffled by 2 or 4 first, as BasicSR/Real-ESRGAN do). */
  scale?: 1 | 2 | 4;
  numFeat?: number;
  numBlock?: number;
  numGrowCh?: number;
  /** Encoder mode: no upsampling tail (`conv_up1/2`, `conv_hr`, `conv_last` not created); scale must be 4. */
  noUpsampling?: boolean;
}

/**
 * RRDBNet, the ESRGAN generator (Wang et al., "ESRGAN: Enhanced Super-Resolution Generative
 * Adversarial Networks", ECCVW 2018), as in BasicSR's `basicsr/archs/rrdbnet_arch.py`: `conv_first`,
 * `body.i` RRDBs, `conv_body` and the trunk residual, then nearest ×2 → `conv_up1` → LReLU(0.2),
 * nearest ×2 → `conv_up2` → LReLU, `conv_hr` → LReLU, `conv_last`. The tail always upsamples ×4;
 * scales 2/1 shrink the input by pixel-unshuffle first (12 or 48 input channels).
 */
export class RRDBNet extends Module implements Callable, Backbone {
  readonly convFirst: Conv2d;
  readonly body: Sequential;
  readonly convBody: Conv2d;
  readonly convUp1: Conv2d | null = null;
  readonly convUp2: Conv2d | null = null;
  readonly convHr: Conv2d | null = null;
  readonly convLast: Conv2d | null = null;
  readonly scale: 1 | 2 | 4;
  readonly numInCh: number;
  readonly numFeat: number;
  readonly numBlock: number;

  constructor(opts: RRDBNetOptions = {}) {
    super();
    this.scale = opts.scale ?? 4;
    if (![1, 2, 4].includes(this.scale)) throw new InputError(`RRDBNet scale must be 1, 2 or 4, got ${this.scale}`);
    if (opts.noUpsampling && this.scale !== 4) throw new InputError('RRDBNet encoder mode needs scale 4 (scales 2/1 pixel-unshuffle the input, so features would not be at LR size)');
    this.numInCh = opts.numInCh ?? 3;
    this.numFeat = opts.numFeat ?? 64;
    this.numBlock = opts.numBlock ?? 23;
    const nf = this.numFeat;
    const inCh = this.numInCh * (this.scale === 2 ? 4 : this.scale === 1 ? 16 : 1);
    const conv = (i: number, o: number) => new Conv2d(i, o, 3, { padding: 1 });
    this.convFirst = this.child('conv_first', conv(inCh, nf));
    this.body = this.child('body', new Sequential());
    for (let i = 0; i < this.numBlock; i++) this.body.add(String(i), new RRDB(nf, opts.numGrowCh ?? 32));
    this.convBody = this.child('conv_body', conv(nf, nf));
    if (opts.noUpsampling) return;
    this.convUp1 = this.child('conv_up1', conv(nf, nf));
    this.convUp2 = this.child('conv_up2', conv(nf, nf));
    this.convHr = this.child('conv_hr', conv(nf, nf));
    this.convLast = this.child('conv_last', conv(nf, opts.numOutCh ?? 3));
  }

  get channels(): number {
    return this.numFeat;
  }

  /** conv_first (1) + 3 dense blocks × 5 chained convs per RRDB + conv_body (1), in LR pixels. */
  get receptiveField(): number {
    return 2 + 15 * this.numBlock;
  }

  /** Trunk features `conv_first(x) + conv_body(body(conv_first(x)))` at input resolution (scale 4 only). */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    if (this.scale !== 4) throw new InputError(`RRDBNet.encode needs scale 4; this model pixel-unshuffles its input (scale ${this.scale})`);
    return this.trunk(x);
  }

  private trunk(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.numInCh) throw new InputError(`RRDBNet expects NHWC input with ${this.numInCh} channels, got [${x.shape}]`);
    return tf.tidy(() => {
      const feat = this.convFirst.forward(this.scale === 4 ? x : pixelUnshuffle(x, this.scale === 2 ? 2 : 4));
      return tf.add(feat, this.convBody.forward(this.body.forward(feat))) as tf.Tensor4D;
    });
  }

  /** BasicSR's forward (×4 output for scale 4, ×scale for 2/1); trunk features in encoder mode. */
  forward(x: tf.Tensor): tf.Tensor4D {
    const [up1, up2, hr, last] = [this.convUp1, this.convUp2, this.convHr, this.convLast];
    if (!up1 || !up2 || !hr || !last) return this.trunk(x as tf.Tensor4D);
    return tf.tidy(() => {
      let f: tf.Tensor4D = this.trunk(x as tf.Tensor4D);
      f = tf.leakyRelu(up1.forward(interpolate(f, { scaleFactor: 2, mode: 'nearest' })), 0.2);
      f = tf.leakyRelu(up2.forward(interpolate(f, { scaleFactor: 2, mode: 'nearest' })), 0.2);
      return last.forward(tf.leakyRelu(hr.forward(f), 0.2));
    });
  }
}

const ESRGAN_LEGACY_RULES: [RegExp, string][] = [
  [/^RRDB_trunk\./, 'body.'],
  [/\.RDB([123])\./, '.rdb$1.'],
  [/^trunk_conv\./, 'conv_body.'],
  [/^upconv1\./, 'conv_up1.'],
  [/^upconv2\./, 'conv_up2.'],
  [/^HRconv\./, 'conv_hr.'],
];

/**
 * Renames an old-architecture ESRGAN state dict (xinntao's original `RRDBNet_arch.py`, also used by
 * LAR-SR: `RRDB_trunk.i.RDB1.conv1`, `trunk_conv`, `upconv1/2`, `HRconv`) to BasicSR's names so it
 * loads into {@link RRDBNet}. Keys already in BasicSR form pass through unchanged.
 */
export function remapEsrganKeys(sd: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) out[ESRGAN_LEGACY_RULES.reduce((s, [re, to]) => s.replace(re, to), k)] = v;
  return out;
}
