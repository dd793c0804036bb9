import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, ModuleList, Sequential, type Callable } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { ReLU } from '../nn/activation.js';
import { PixelShuffle } from '../nn/pixel-shuffle.js';
import type { Backbone } from './backbone.js';

/** LIIF `RDB_Conv`: `cat(x, relu(conv(x)))` with the input first; the conv is `conv.0`. */
export class RDBConv extends Module implements Callable {
  readonly conv: Sequential;
  constructor(inChannels: number, growRate: number, kSize = 3) {
    super();
    this.conv = this.child('conv', new Sequential());
    this.conv.add('0', new Conv2d(inChannels, growRate, kSize, { padding: (kSize - 1) >> 1 })).add('1', new ReLU());
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.concat([x, this.conv.forward(x)], 3) as tf.Tensor4D);
  }
}

/**
 * Residual dense block (Zhang et al., "Residual Dense Network for Image Super-Resolution", CVPR 2018,
 * §3.2): C densely connected conv+ReLU layers (`convs.c`), local feature fusion `LFF` (1×1,
 * G0 + C·G → G0) and the local residual.
 */
export class RDB extends Module implements Callable {
  readonly convs: Sequential;
  readonly LFF: Conv2d;
  constructor(growRate0: number, growRate: number, nConvLayers: number, kSize = 3) {
    super();
    this.convs = this.child('convs', new Sequential());
    for (let c = 0; c < nConvLayers; c++) this.convs.add(String(c), new RDBConv(growRate0 + c * growRate, growRate, kSize));
    this.LFF = this.child('LFF', new Conv2d(growRate0 + nConvLayers * growRate, growRate0, 1));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.add(this.LFF.forward(this.convs.forward(x)), x) as tf.Tensor4D);
  }
}

/** RDN's official (D, C, G) configurations (LIIF `models/rdn.py`). */
export const RDN_CONFIGS = { A: { D: 20, C: 6, G: 32 }, B: { D: 16, C: 8, G: 64 } } as const;

/** Options of {@link RDN}; defaults are LIIF's `make_rdn` (G0 64, 3×3, config B, ×2). */
export interface RDNOptions {
  G0?: number;
  kSize?: number;
  /** Official configuration; `D`, `C`, `G` override it (the official constructor cannot, see rdn-small). */
  config?: 'A' | 'B';
  /** Number of RDBs. */
  D?: number;
  /** Conv layers per RDB. */
  C?: number;
  /** Growth rate. */
  G?: number;
  scale?: number;
  /** Encoder mode (no `UPNet`); `forward` returns G0-channel LR features. */
  noUpsampling?: boolean;
  nColors?: number;
}

/**
 * RDN (Zhang et al. CVPR 2018) as in LIIF's `models/rdn.py`: shallow feature extraction `SFENet1/2`,
 * D residual dense blocks `RDBs.d`, global feature fusion `GFF.0` (1×1, D·G0 → G0) and `GFF.1`
 * (3×3), global residual from SFENet1, and the `UPNet` tail (×2/×3: conv → G·r², PixelShuffle(r),
 * conv → RGB; ×4: two PixelShuffle(2) stages).
 */
export class RDN extends Module implements Callable, Backbone {
  readonly SFENet1: Conv2d;
  readonly SFENet2: Conv2d;
  readonly RDBs: ModuleList<RDB>;
  readonly GFF: Sequential;
  readonly UPNet: Sequential | null;
  readonly G0: number;
  readonly D: number;
  readonly C: number;
  readonly G: number;
  readonly nColors: number;
  private readonly kSize: number;

  constructor(opts: RDNOptions = {}) {
    super();
    const base = RDN_CONFIGS[opts.config ?? 'B'];
    if (!base) throw new InputError(`RDN config must be 'A' or 'B', got '${opts.config}'`);
    this.G0 = opts.G0 ?? 64;
    this.D = opts.D ?? base.D;
    this.C = opts.C ?? base.C;
    this.G = opts.G ?? base.G;
    this.nColors = opts.nColors ?? 3;
    const k = (this.kSize = opts.kSize ?? 3);
    const pad = (k - 1) >> 1;
    const { G0, G, nColors } = this;
    this.SFENet1 = this.child('SFENet1', new Conv2d(nColors, G0, k, { padding: pad }));
    this.SFENet2 = this.child('SFENet2', new Conv2d(G0, G0, k, { padding: pad }));
    this.RDBs = this.child('RDBs', new ModuleList<RDB>());
    for (let d = 0; d < this.D; d++) this.RDBs.push(new RDB(G0, G, this.C, k));
    this.GFF = this.child('GFF', new Sequential([new Conv2d(this.D * G0, G0, 1), new Conv2d(G0, G0, k, { padding: pad })]));
    if (opts.noUpsampling) {
      this.UPNet = null;
      return;
    }
    const r = opts.scale ?? 2;
    const conv = (i: number, o: number) => new Conv2d(i, o, k, { padding: pad });
    if (r === 2 || r === 3) this.UPNet = this.child('UPNet', new Sequential([conv(G0, G * r * r), new PixelShuffle(r), conv(G, nColors)]));
    else if (r === 4)
      this.UPNet = this.child('UPNet', new Sequential([conv(G0, G * 4), new PixelShuffle(2), conv(G, G * 4), new PixelShuffle(2), conv(G, nColors)]));
    else throw new InputError(`RDN supports scales 2, 3 and 4, got ${r}`);
  }

  get channels(): number {
    return this.G0;
  }

  /** SFENet1/2 (2·pad) + C k×k convs per RDB + GFF.1 (pad), in LR pixels. */
  get receptiveField(): number {
    const pad = (this.kSize - 1) >> 1;
    return pad * (3 + this.D * this.C);
  }

  /** `GFF(cat(RDB_1..RDB_D)) + SFENet1(x)`, `[B, h, w, G0]`. */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.nColors) throw new InputError(`RDN expects NHWC input with ${this.nColors} channels, got [${x.shape}]`);
    return tf.tidy(() => {
      const f1 = this.SFENet1.forward(x);
      let h: tf.Tensor4D = this.SFENet2.forward(f1);
      const outs: tf.Tensor4D[] = [];
      for (const rdb of this.RDBs.items) {
        h = rdb.forward(h);
        outs.push(h);
      }
      return tf.add(this.GFF.forward(tf.concat(outs, 3)), f1) as tf.Tensor4D;
    });
  }

  /** The official forward: features, then `UPNet` unless `noUpsampling`. */
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const f = this.encode(x as tf.Tensor4D);
      return this.UPNet ? (this.UPNet.forward(f) as tf.Tensor4D) : f;
    });
  }
}
