import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module } from '../nn/module.js';
import { gatherPixels } from '../ops/grid-sample.js';
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
 * Gathers, for every neighbour, the 3×3 neighbourhood of the latent code at `(iy, ix)` with zero
 * padding — the values of `F.unfold(feat, 3, padding=1)` sampled there, without materialising the
 * `9C`-channel map (memory stays bounded for large inputs). The result `[B, K·Q, 9C]` is **k-major**
 * (channel `(ky·3 + kx)·C + c`); {@link unfoldInputOrder} maps it to PyTorch's c-major order.
 */
function gatherUnfolded(feat: tf.Tensor4D, iy: tf.Tensor2D, ix: tf.Tensor2D): tf.Tensor3D {
  const [b, , , c] = feat.shape;
  const kq = iy.shape[1];
  const dy = tf.tensor1d([-1, -1, -1, 0, 0, 0, 1, 1, 1]);
  const dx = tf.tensor1d([-1, 0, 1, -1, 0, 1, -1, 0, 1]);
  const ys = tf.reshape(tf.add(tf.expandDims(iy, 2), dy), [b, kq * 9]); // query-major: row i·9 + k
  const xs = tf.reshape(tf.add(tf.expandDims(ix, 2), dx), [b, kq * 9]);
  return tf.reshape(gatherPixels(feat, ys, xs), [b, kq, 9 * c]); // zeros outside the map
}

/** Official (c-major) index of each k-major unfolded feature: `k·C + c` → `c·9 + k`. */
function unfoldInputOrder(c: number): tf.Tensor1D {
  const order = new Int32Array(9 * c);
  for (let k = 0; k < 9; k++) for (let ch = 0; ch < c; ch++) order[k * c + ch] = ch * 9 + k;
  return tf.tensor1d(order, 'int32');
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

  /** Official `query_rgb`: `[B, Q, 2]` coords (and cells) → `[B, Q, outDim]` in normalised space. */
  queryRgb(feat: tf.Tensor4D, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    if (this.cellDecode && !cell) throw new InputError('LIIF with cell decoding needs the cell of every query');
    return tf.tidy(() => {
      const [b, h, w] = feat.shape;
      const q = coord.shape[1];
      const nb = ensembleNeighbours(coord, h, w, { localEnsemble: this.localEnsemble });
      const k = nb.count;
      const qFeat = this.featUnfold ? gatherUnfolded(feat, nb.iy, nb.ix) : gatherPixels(feat, nb.iy, nb.ix);
      const parts: tf.Tensor[] = [tf.reshape(qFeat, [b, k, q, -1]), nb.relCoord];
      if (this.cellDecode) {
        const relCell = tf.mul(cell as tf.Tensor3D, tf.tensor1d([h, w]));
        parts.push(tf.tile(tf.expandDims(relCell, 1), [1, k, 1, 1]));
      }
      const order = this.featUnfold ? unfoldInputOrder(feat.shape[3]) : undefined;
      const pred = this.imnet.forwardParts(parts, order); // [B, K, Q, out]
      return tf.sum(tf.mul(pred, ensembleWeights(nb.relCoord)), 1) as tf.Tensor3D;
    });
  }

  /** The official `forward(inp, coord, cell)`: encode then query. */
  forward(inp: tf.Tensor4D, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.queryRgb(this.genFeat(inp), coord, cell));
  }

  /** Chunked decoding of a whole output grid (`[B, H, W, out]`) or of explicit queries (`[B, Q, out]`); see {@link decodeChunked}. */
  decode(feat: tf.Tensor4D, target: DecodeSize | DecodeQueries, opts: QueryDecodeOptions = {}): tf.Tensor {
    return decodeChunked(this, feat, feat.shape[0], target, opts);
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
