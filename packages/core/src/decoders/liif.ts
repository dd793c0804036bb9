import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module } from '../nn/module.js';
import { pixelRows } from '../ops/grid-sample.js';
import { gatherLinear } from '../ops/gather-linear.js';
import { scaledSize } from '../ops/coord.js';
import type { Backbone } from '../models/backbone.js';
import { MLP } from './mlp.js';
import { ensembleNeighbours, ensembleWeights } from './local-ensemble.js';
import { decodeChunked, type QueryDecodeOptions, type DecodeQueries, type DecodeSize, type ImplicitDecoder } from './implicit.js';

/** Options of {@link LIIF}; names and defaults follow `models/liif.py` and its training config. */
export interface LiifOptions {
  /** Blend the 4 surrounding latent codes with area weights (default true). */
  localEnsemble?: boolean;
  /** Feed the 3×3 neighbourhood of each latent code (9C values) instead of the code alone (default true). */
  featUnfold?: boolean;
  /** Append the relative cell size to the MLP input (default true). */
  cellDecode?: boolean;
  /** Hidden widths of the `imnet` MLP (default `[256, 256, 256, 256]`). */
  hiddenList?: number[];
  /** Output channels (default 3). */
  outDim?: number;
}

/** `(x − sub) / div` per data-norm entry, as LIIF's `data_norm` config (`{sub: [0.5], div: [0.5]}`). */
export interface DataNorm {
  sub: number;
  div: number;
}

/**
 * LIIF — Local Implicit Image Function (Chen, Liu & Wang, "Learning Continuous Image Representation
 * with Local Implicit Image Function", CVPR 2021; official `yinboc/liif` `models/liif.py`). An encoder
 * (EDSR-baseline or RDN without upsampler) gives a latent code per LR pixel; the RGB value at a
 * continuous coordinate is `imnet([z*, rel_coord, rel_cell])` blended over the 4 nearest codes with
 * bilinear-style area weights (§3.2–3.3: feature unfolding, local ensemble, cell decoding). State-dict
 * keys equal the official ones: `encoder.*` and `imnet.layers.{0,2,4,6,8}.*`.
 */
export class LIIF extends Module implements ImplicitDecoder<tf.Tensor4D> {
  readonly encoder: Backbone;
  readonly imnet: MLP;
  readonly localEnsemble: boolean;
  readonly featUnfold: boolean;
  readonly cellDecode: boolean;
  /** Input/output normalisation of the official configs: `(x − 0.5)/0.5`. */
  dataNorm: { inp: DataNorm; gt: DataNorm } = { inp: { sub: 0.5, div: 0.5 }, gt: { sub: 0.5, div: 0.5 } };

  constructor(encoder: Backbone, opts: LiifOptions = {}) {
    super();
    this.encoder = encoder instanceof Module ? this.child('encoder', encoder) : encoder;
    this.localEnsemble = opts.localEnsemble ?? true;
    this.featUnfold = opts.featUnfold ?? true;
    this.cellDecode = opts.cellDecode ?? true;
    const inDim = encoder.channels * (this.featUnfold ? 9 : 1) + 2 + (this.cellDecode ? 2 : 0);
    this.imnet = this.child('imnet', new MLP(inDim, opts.outDim ?? 3, opts.hiddenList ?? [256, 256, 256, 256]));
  }

  /** Encoder features `[B, h, w, C]` of a normalised LR image `[B, h, w, 3]` (official `gen_feat`). */
  genFeat(inp: tf.Tensor4D): tf.Tensor4D {
    if (inp.rank !== 4 || inp.shape[3] !== 3) throw new InputError(`LIIF expects an NHWC RGB image [B, h, w, 3], got [${inp.shape}]`);
    return this.encoder.encode(inp);
  }

  disposeFeat(feat: tf.Tensor4D): void {
    feat.dispose();
  }

  /**
   * `imnet`'s first layer restricted to the latent-code inputs, applied once per LR pixel:
   * `P = unfold3×3(F) · W₀[:9C]` (`[B, h, w, hidden]`). The first layer is linear in the gathered code,
   * so gathering `P` at a query's neighbour equals applying `W₀` to the gathered unfolded code — but
   * costs `h·w` instead of `K·Q` rows of `9C × hidden` (×4 upscaling: 64× fewer). With feature
   * unfolding `P` is one 3×3 convolution with zero padding, the kernel being `W₀`'s rows in PyTorch's
   * unfold order (`c·9 + ky·3 + kx`); without it, a 1×1 convolution.
   */
  projectFeatures(feat: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const c = feat.shape[3];
      const lin = this.imnet.firstLinear;
      const hidden = lin.outFeatures;
      const w = lin.weight as tf.Tensor2D; // [inDim, hidden]
      if (!this.featUnfold) return tf.conv2d(feat, tf.reshape(tf.slice(w, [0, 0], [c, hidden]), [1, 1, c, hidden]) as tf.Tensor4D, 1, 'valid');
      const kernel = tf.transpose(tf.reshape(tf.slice(w, [0, 0], [9 * c, hidden]), [c, 3, 3, hidden]), [1, 2, 0, 3]) as tf.Tensor4D;
      return tf.conv2d(feat, kernel, 1, 'same');
    });
  }

  /**
   * The official `query_rgb` from projected features `proj` = {@link LIIF.projectFeatures} of an
   * `h × w` map: per neighbour, `h₀ = P[neighbour] + rel_coord·W_coord + rel_cell·W_cell + b`, then the
   * rest of `imnet`, blended with the local-ensemble area weights. `[B, Q, 2]` → `[B, Q, outDim]`.
   * The gather, the `rel` terms, the bias and the first ReLU run as one kernel ({@link gatherLinear}).
   */
  queryProjected(proj: tf.Tensor4D, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    if (this.cellDecode && !cell) throw new InputError('LIIF with cell decoding needs the cell of every query');
    return tf.tidy(() => {
      const [b, h, w, hidden] = proj.shape;
      const q = coord.shape[1];
      const lin = this.imnet.firstLinear;
      const wt = lin.weight as tf.Tensor2D;
      const row = this.imnet.inDim - 2 - (this.cellDecode ? 2 : 0);
      const nb = ensembleNeighbours(coord, h, w, { localEnsemble: this.localEnsemble });
      const k = nb.count;
      // Per (neighbour, query) row: the inputs of the first layer besides the latent code, and their
      // rows of W₀ — rel_coord (2), then rel_cell (2, the same for a query's K neighbours).
      let rel = tf.reshape(nb.relCoord, [b * k * q, 2]);
      if (this.cellDecode) {
        const relCell = tf.mul(cell as tf.Tensor3D, tf.tensor1d([h, w])); // [B, Q, 2]
        // Broadcast over the K neighbours by a multiply, not tf.tile: tfjs-backend-wasm's Tile costs
        // ~0.2 µs per element (≈ 55 ms for one 30000-query chunk here).
        const perRow = tf.reshape(tf.mul(tf.ones([1, k, 1, 1]), tf.expandDims(relCell, 1)), [b * k * q, 2]);
        rel = tf.concat([rel, perRow], 1);
      }
      const wRel = tf.slice(wt, [row, 0], [rel.shape[1] as number, hidden]) as tf.Tensor2D;
      const bias = (lin.bias ?? tf.zeros([hidden])) as tf.Tensor1D;
      // One fused kernel: gather P at each neighbour + rel·W_rel + b, then the first ReLU.
      const { table, index } = pixelRows(proj, nb.iy, nb.ix);
      const act = this.imnet.firstActivated ? 'relu' : 'linear';
      const h1 = tf.reshape(gatherLinear(table, index, rel as tf.Tensor2D, wRel, bias, act), [b, k, q, hidden]);
      const pred = act === 'relu' ? this.imnet.forwardAfterFirstActivation(h1) : h1; // [B, K, Q, out]
      return tf.sum(tf.mul(pred, ensembleWeights(nb.relCoord)), 1) as tf.Tensor3D;
    });
  }

  /** Official `query_rgb`: `[B, Q, 2]` coords (and cells) → `[B, Q, outDim]` in normalised space. */
  queryRgb(feat: tf.Tensor4D, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.queryProjected(this.projectFeatures(feat), coord, cell));
  }

  /** The official `forward(inp, coord, cell)`: encode then query. */
  forward(inp: tf.Tensor4D, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.queryRgb(this.genFeat(inp), coord, cell));
  }

  /**
   * Chunked decoding of a whole output grid (`[B, H, W, out]`) or of explicit queries (`[B, Q, out]`);
   * see {@link decodeChunked}. The projected features are computed once, not per chunk.
   */
  decode(feat: tf.Tensor4D, target: DecodeSize | DecodeQueries, opts: QueryDecodeOptions = {}): tf.Tensor {
    // Project once for all chunks (queryRgb would redo it per chunk).
    const proj = this.projectFeatures(feat);
    try {
      return decodeChunked({ queryRgb: (p: tf.Tensor4D, c, k) => this.queryProjected(p, c, k) }, proj, feat.shape[0], target, opts);
    } finally {
      proj.dispose();
    }
  }

  /**
   * Upscales an image `[B, h, w, 3]` in `[0, 1]` to `size` (or `round(h·s) × round(w·s)` for a scale,
   * Python rounding as the official test) and returns `[B, H, W, 3]` in `[0, 1]` (as `demo.py`:
   * normalise, encode once, decode in chunks, de-normalise, clamp).
   */
  upscale(image: tf.Tensor4D, size: DecodeSize | number, opts: QueryDecodeOptions = {}): tf.Tensor4D {
    const [, h, w] = image.shape;
    const target = typeof size === 'number' ? (([height, width]) => ({ height, width }))(scaledSize([h, w], size)) : size;
    const { inp, gt } = this.dataNorm;
    const feat = tf.tidy(() => this.genFeat(tf.div(tf.sub(image, inp.sub), inp.div) as tf.Tensor4D));
    try {
      const pred = this.decode(feat, target, opts);
      const out = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(pred, gt.div), gt.sub), 0, 1) as tf.Tensor4D);
      pred.dispose();
      return out;
    } finally {
      feat.dispose();
    }
  }
}
