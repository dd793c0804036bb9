import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { gatherPixels, gridSampleBilinear } from '../ops/grid-sample.js';
import { scaledSize } from '../ops/coord.js';
import type { Backbone } from '../models/backbone.js';
import { MLP } from './mlp.js';
import { ensembleNeighbours, ensembleWeights } from './local-ensemble.js';
import { decodeChunked, type QueryDecodeOptions, type DecodeQueries, type DecodeSize, type ImplicitDecoder } from './implicit.js';
import type { DataNorm } from './liif.js';

/** Options of {@link LTE}; names and defaults follow `models/lte.py` and its training config. */
export interface LteOptions {
  /** Channels of the coefficient/frequency maps (default 256; the phase has half). */
  hiddenDim?: number;
  /** Hidden widths of the `imnet` MLP (default `[256, 256, 256]`). */
  hiddenList?: number[];
  /** Output channels (default 3). */
  outDim?: number;
  /**
   * Largest training scale (default 4): {@link LTE.decode}/{@link LTE.upscale} of a grid multiply the
   * cell by `max(s / scaleMax, 1)` as the official `test.py` does for out-of-distribution scales.
   * `Infinity` disables it.
   */
  scaleMax?: number;
}

/** What {@link LTE.genFeat} computes once per LR image. */
export interface LteFeatures {
  /** The normalised input `[B, h, w, 3]` (for the bilinear residual). */
  inp: tf.Tensor4D;
  /** Encoder output `[B, h, w, C]`. */
  feat: tf.Tensor4D;
  /** Amplitude estimator output `[B, h, w, hidden]`. */
  coef: tf.Tensor4D;
  /** Frequency estimator output `[B, h, w, hidden]`: channel pairs (2k, 2k+1) are (f_y, f_x). */
  freq: tf.Tensor4D;
}

/**
 * LTE — Local Texture Estimator (Lee & Jin, "Local Texture Estimator for Implicit Representation
 * Function", CVPR 2022; official `jaewon-lee-b/lte` `models/lte.py`). On top of an encoder, 3×3 convs
 * estimate per-pixel amplitudes (`coef`) and 2-D frequencies (`freq`), a bias-free linear layer maps the
 * cell to a phase (`phase`); each query decodes `imnet(coef ⊙ [cos πθ, sin πθ])` with
 * `θ_k = f_k · rel_coord + phase(rel_cell)`, blended over the 4 nearest LR pixels with LIIF's area
 * weights, plus a bilinear (border) sample of the normalised input as a global residual (the paper's
 * Eq. 3–5; the residual is in the code).
 */
export class LTE extends Module implements ImplicitDecoder<LteFeatures> {
  readonly encoder: Backbone;
  readonly coef: Conv2d;
  readonly freq: Conv2d;
  readonly phase: Linear;
  readonly imnet: MLP;
  readonly scaleMax: number;
  /** Input/output normalisation of the official configs: `(x − 0.5)/0.5`. */
  dataNorm: { inp: DataNorm; gt: DataNorm } = { inp: { sub: 0.5, div: 0.5 }, gt: { sub: 0.5, div: 0.5 } };

  constructor(encoder: Backbone, opts: LteOptions = {}) {
    super();
    const hidden = opts.hiddenDim ?? 256;
    if (hidden % 2) throw new InputError(`LTE hiddenDim must be even, got ${hidden}`);
    this.encoder = encoder instanceof Module ? this.child('encoder', encoder) : encoder;
    this.coef = this.child('coef', new Conv2d(encoder.channels, hidden, 3, { padding: 1 }));
    this.freq = this.child('freq', new Conv2d(encoder.channels, hidden, 3, { padding: 1 }));
    this.phase = this.child('phase', new Linear(2, hidden / 2, { bias: false }));
    this.imnet = this.child('imnet', new MLP(hidden, opts.outDim ?? 3, opts.hiddenList ?? [256, 256, 256]));
    this.scaleMax = opts.scaleMax ?? 4;
  }

  /** Official `gen_feat`: encoder features plus the coefficient and frequency maps. */
  genFeat(inp: tf.Tensor4D): LteFeatures {
    if (inp.rank !== 4 || inp.shape[3] !== 3) throw new InputError(`LTE expects an NHWC RGB image [B, h, w, 3], got [${inp.shape}]`);
    const out = tf.tidy(() => {
      const feat = this.encoder.encode(inp);
      return { inp: tf.clone(inp), feat, coef: this.coef.forward(feat), freq: this.freq.forward(feat) };
    });
    return out as unknown as LteFeatures;
  }

  disposeFeat(f: LteFeatures): void {
    tf.dispose([f.inp, f.feat, f.coef, f.freq]);
  }

  /** Official `query_rgb`: `[B, Q, 2]` coords and cells → `[B, Q, outDim]` (normalised space). */
  queryRgb(f: LteFeatures, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    if (!cell) throw new InputError('LTE needs the cell of every query (its phase depends on it)');
    return tf.tidy(() => {
      const [b, h, w, hidden] = f.coef.shape;
      const q = coord.shape[1];
      const nb = ensembleNeighbours(coord, h, w);
      const k = nb.count;
      const qCoef = tf.reshape(gatherPixels(f.coef, nb.iy, nb.ix), [b, k, q, hidden]);
      const qFreq = gatherPixels(f.freq, nb.iy, nb.ix); // [B, K·Q, hidden]
      // θ_k = f_y·rel_y + f_x·rel_x with (f_y, f_x) = channels (2k, 2k+1): a batch of [half, 2]·[2, 1] products
      const half = hidden / 2;
      const thetaF = tf.reshape(
        tf.matMul(tf.reshape(qFreq, [b * k * q, half, 2]), tf.reshape(nb.relCoord, [b * k * q, 2, 1])),
        [b, k, q, half],
      );
      const relCell = tf.mul(cell, tf.tensor1d([h, w]));
      // The phase depends on the cell only, the same for a query's K neighbours: computed once per
      // query and broadcast (the official code applies it to the repeated cell; same values).
      const phase = tf.expandDims(this.phase.forward(relCell), 1); // [B, 1, Q, half]
      const arg = tf.mul(tf.add(thetaF, phase), tf.scalar(Math.PI));
      const basis = tf.concat([tf.cos(arg), tf.sin(arg)], 3);
      const pred = this.imnet.forward(tf.mul(qCoef, basis)); // [B, K, Q, out]
      const blended = tf.sum(tf.mul(pred, ensembleWeights(nb.relCoord)), 1);
      return tf.add(blended, gridSampleBilinear(f.inp, coord, { paddingMode: 'border' })) as tf.Tensor3D;
    });
  }

  /** The official `forward(inp, coord, cell)`: encode then query. */
  forward(inp: tf.Tensor4D, coord: tf.Tensor3D, cell: tf.Tensor3D): tf.Tensor3D {
    const f = this.genFeat(inp);
    try {
      return this.queryRgb(f, coord, cell);
    } finally {
      this.disposeFeat(f);
    }
  }

  /**
   * The cell factor of the official test for an output `H × W` of an `h × w` input:
   * `max(s / scaleMax, 1)` with `s = H / h` — beyond the training range the network sees the ×scaleMax cell.
   */
  cellScaleFor(lr: [number, number], hr: [number, number]): number {
    const s = Math.max(hr[0] / lr[0], hr[1] / lr[1]);
    return Math.max(s / this.scaleMax, 1);
  }

  /**
   * Chunked decoding ({@link decodeChunked}). For a grid target the LTE cell clip is applied unless
   * `opts.cellScale` is given; explicit queries use their cells as they are.
   */
  decode(f: LteFeatures, target: DecodeSize | DecodeQueries, opts: QueryDecodeOptions = {}): tf.Tensor {
    const [, h, w] = f.feat.shape;
    const grid = typeof (target as DecodeSize).height === 'number';
    const cellScale = opts.cellScale ?? (grid ? this.cellScaleFor([h, w], [(target as DecodeSize).height, (target as DecodeSize).width]) : 1);
    return decodeChunked(this, f, f.feat.shape[0], target, { ...opts, cellScale });
  }

  /** Upscales `[B, h, w, 3]` in `[0, 1]` to a size or scale → `[B, H, W, 3]` in `[0, 1]`; see {@link LIIF.upscale}. */
  upscale(image: tf.Tensor4D, size: DecodeSize | number, opts: QueryDecodeOptions = {}): tf.Tensor4D {
    const [, h, w] = image.shape;
    const target = typeof size === 'number' ? (([height, width]) => ({ height, width }))(scaledSize([h, w], size)) : size;
    const { inp, gt } = this.dataNorm;
    const x = tf.tidy(() => tf.div(tf.sub(image, inp.sub), inp.div) as tf.Tensor4D);
    const f = this.genFeat(x);
    x.dispose();
    try {
      const pred = this.decode(f, target, opts);
      const out = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(pred, gt.div), gt.sub), 0, 1) as tf.Tensor4D);
      pred.dispose();
      return out;
    } finally {
      this.disposeFeat(f);
    }
  }
}
