import * as tf from '@tensorflow/tfjs-core';
import { InputError, Module, gatherLinear, mixGatheredRows, type Rect } from '@sr/core';
import { CrossScaleAttention } from './cross-scale-attention.js';
import type { QueryArrays } from './geometry.js';
import { MLPRefiner } from './mlp.js';
import { unfold3x3 } from './unfold.js';

/** Options of {@link CiaoSRHead}; defaults are the official `001_*` configs. */
export interface CiaoSRHeadOptions {
  /** Feature channels C of the backbone (64 for EDSR-baseline/RDN). */
  channels?: number;
  /** Hidden sizes of imnet_q/k/v (official [256, 256, 256, 256]). */
  hiddenList?: number[];
  /** Output channels of imnet_q (3: RGB). */
  outChannels?: number;
}

/**
 * Per-window feature maps the decoder gathers from, flattened to `[N, D]` rows (N = B·h·w pixels).
 * Computed once per tile: the official code recomputes unfold and the non-local attention for every
 * query chunk; here a chunked decode reuses them.
 */
export interface FeatureMaps {
  /** `unfold(F)`, `[N, 9C]`: query and key map. */
  readonly keyMap: tf.Tensor2D;
  /** `cat(unfold(F), F̃)`, `[N, 9C + C]`: value map. */
  readonly valueMap: tf.Tensor2D;
  /** The normalised LR image, `[N, 3]`, for the bilinear residual. */
  readonly lr: tf.Tensor2D;
  /** `keyMap · W_k0[:9C]`, `[N, hidden]`: imnet_k's first layer applied per LR pixel. */
  readonly keyProj: tf.Tensor2D;
  /** `valueMap · W_v0[:10C]`, `[N, hidden]`. */
  readonly valueProj: tf.Tensor2D;
  /** Width of the map (pixels per row): with it a flat index gives the pixel's row and column. */
  readonly width: number;
  /**
   * Optional {@link logitTables}: `[9N, hidden]` and `[9N]`, the attention logit's dependence on the
   * (query pixel, neighbour pixel) pair, so that imnet_k's last layer is never run per query.
   */
  readonly logitTable?: tf.Tensor2D;
  readonly logitBias?: tf.Tensor1D;
}

/** Options of {@link CiaoSRHead.prepare}. */
export interface PrepareOptions {
  /**
   * Build the maps only for this region of the feature map (rows `y0…y1`, columns `x0…x1`); the
   * non-local features passed to `prepare` must then cover exactly this region. The unfold still sees
   * the features around it. Query indices are relative to the region.
   */
  region?: Rect;
  /**
   * Precompute the logit tables (see {@link FeatureMaps.logitTable}). Worth it when the decode asks
   * for at least ~3 queries per LR pixel (scale ≳ 1.8): building them costs 9 rows of imnet_k's last
   * layer per LR pixel, using them saves 4 rows per query.
   */
  logitTables?: boolean;
}

/** Every tensor a {@link FeatureMaps} holds (the logit tables when present). */
function mapTensors(m: FeatureMaps): tf.Tensor[] {
  return [m.keyMap, m.valueMap, m.lr, m.keyProj, m.valueProj, m.logitTable, m.logitBias].filter((t): t is tf.Tensor1D | tf.Tensor2D => t !== undefined);
}

/** Releases the tensors of {@link FeatureMaps}. */
export function disposeMaps(m: FeatureMaps): void {
  tf.dispose(mapTensors(m));
}

/** Keeps the tensors of {@link FeatureMaps} out of the enclosing `tf.tidy`. */
export function keepMaps(m: FeatureMaps): FeatureMaps {
  for (const t of mapTensors(m)) tf.keep(t);
  return m;
}

/**
 * CiaoSR's decoder (Cao et al., CVPR 2023, §3.2–3.3: "attention-in-attention"), which sits on any
 * {@link @sr/core!Backbone | Backbone} with `channels` feature channels. Follows the official `LocalImplicitSRNet.query_rgb`
 * where it differs from the paper:
 * - 4 neighbours; the query is the unfolded feature of the LR pixel containing the query point (no MLP);
 * - keys and values are gated multiplicatively: `K = key ⊙ imnet_k([key, rel, cell·(h,w)])`,
 *   `V = value ⊙ imnet_v([value, rel, cell·(h,w)])`, with value = `cat(unfold(F), F̃)`;
 * - logits `q·K` with no 1/√d, softmax over the 4 neighbours, `imnet_q` maps the mixture to RGB;
 * - the caller adds `bilinear(LR)` (border padding) — {@link CiaoSRHead.decode} does when asked.
 * Parameter names: `imnet_q.layers.*`, `imnet_k.layers.*`, `imnet_v.layers.*`, `cs_attn.*`.
 */
export class CiaoSRHead extends Module {
  readonly channels: number;
  readonly imnetQ: MLPRefiner;
  readonly imnetK: MLPRefiner;
  readonly imnetV: MLPRefiner;
  readonly csAttn: CrossScaleAttention;

  constructor(opts: CiaoSRHeadOptions = {}) {
    super();
    const c = opts.channels ?? 64;
    if (!Number.isInteger(c) || c < 2 || c % 2) throw new InputError(`CiaoSRHead: channels must be an even integer ≥ 2, got ${c}`);
    const hidden = opts.hiddenList ?? [256, 256, 256, 256];
    this.channels = c;
    const u = 9 * c;
    // Registration order mirrors the official module (imnet_q, imnet_k, imnet_v, cs_attn).
    this.imnetQ = this.child('imnet_q', new MLPRefiner(u + c, opts.outChannels ?? 3, hidden));
    this.imnetK = this.child('imnet_k', new MLPRefiner(u + 4, u, hidden));
    this.imnetV = this.child('imnet_v', new MLPRefiner(u + c + 4, u + c, hidden));
    this.csAttn = this.child('cs_attn', new CrossScaleAttention(c));
  }

  /** Checks that a feature map has this head's channel count. */
  checkFeatures(feat: tf.Tensor4D, who = 'backbone'): void {
    if (feat.rank !== 4 || feat.shape[3] !== this.channels)
      throw new InputError(
        `CiaoSR head expects ${this.channels}-channel features but the ${who} produced shape [${feat.shape}]; ` +
          `build the head with { channels: ${feat.shape[3]} } or use a matching backbone`,
      );
  }

  /**
   * F̃ = scale-aware non-local attention of the features (`[B, h, w, C]`); with `region`, only F̃ on
   * that region (batch 1), every pixel of `feat` still searched (see `CrossScaleAttention.forwardRegion`).
   */
  nonLocal(feat: tf.Tensor4D, region?: Rect): tf.Tensor4D {
    this.checkFeatures(feat);
    return region ? this.csAttn.forwardRegion(feat, region) : this.csAttn.forward(feat);
  }

  /**
   * Builds the decoder's gather maps from features `F`, their non-local features `F̃` (both
   * `[B, h, w, C]`, or F̃ on `opts.region` only) and the normalised LR image `[B, h, w, 3]`.
   */
  prepare(feat: tf.Tensor4D, nlFeat: tf.Tensor4D, lr: tf.Tensor4D, opts: PrepareOptions = {}): FeatureMaps {
    this.checkFeatures(feat);
    return tf.tidy(() => {
      const [b, fh, fw, c] = feat.shape;
      const r = opts.region ?? { y0: 0, x0: 0, y1: fh, x1: fw };
      const h = r.y1 - r.y0;
      const w = r.x1 - r.x0;
      if (nlFeat.shape[1] !== h || nlFeat.shape[2] !== w)
        throw new Error(`CiaoSRHead.prepare: non-local features are ${nlFeat.shape[1]}×${nlFeat.shape[2]}, the region ${h}×${w}`);
      const crop = <T extends tf.Tensor4D>(t: T) => (opts.region ? (tf.slice(t, [0, r.y0, r.x0, 0], [b, h, w, t.shape[3]]) as T) : t);
      const n = b * h * w;
      const unf = crop(unfold3x3(feat));
      const keyMap = tf.reshape(unf, [n, 9 * c]) as tf.Tensor2D;
      const valueMap = tf.reshape(tf.concat([unf, nlFeat], 3), [n, 10 * c]) as tf.Tensor2D;
      // imnet_k/v's first layer is linear in [feature, ext]: apply its feature part once per LR pixel
      // (N rows) instead of once per query and neighbour (4·Q rows, Q ≈ s²·N).
      const keyProj = tf.matMul(keyMap, this.imnetK.firstWeightParts(9 * c)[0]) as tf.Tensor2D;
      const valueProj = tf.matMul(valueMap, this.imnetV.firstWeightParts(10 * c)[0]) as tf.Tensor2D;
      const lrMap = tf.reshape(crop(lr), [n, lr.shape[3]]) as tf.Tensor2D;
      const maps = { keyMap, valueMap, keyProj, valueProj, lr: lrMap, width: w };
      // The tables contract imnet_k's last layer with its last hidden activation: an MLP without hidden layers has none.
      return opts.logitTables && this.imnetK.firstActivated ? { ...maps, ...this.logitTables(keyMap, b, h, w) } : maps;
    });
  }

  /**
   * The attention logit `q · K_j = Σ_u q_u k_u (h_j · W[:, u] + b_u)` (imnet_k's last layer `W`, `b`;
   * `h_j` its input for neighbour j) is linear in `h_j` with coefficients that depend only on the pair
   * (query pixel, neighbour pixel): `z = W (q ⊙ k)`, `c = b · (q ⊙ k)`. The neighbour is one of the 9
   * pixels around the query pixel, so 9 rows per LR pixel replace imnet_k's last layer for the 4·s²
   * (query, neighbour) rows per LR pixel. Row `9·n + d` is the pair (pixel n, neighbour at offset
   * d = 3·(dy + 1) + (dx + 1)); offsets past the border repeat the edge (never gathered).
   */
  private logitTables(keyMap: tf.Tensor2D, b: number, h: number, w: number): { logitTable: tf.Tensor2D; logitBias: tf.Tensor1D } {
    const u = keyMap.shape[1];
    const last = this.imnetK.lastLinear;
    const wT = tf.transpose(last.weight as tf.Tensor2D); // [U, hidden]: a transposed right operand is slow on WASM
    const bias = tf.reshape(last.bias as tf.Tensor1D, [u, 1]);
    const grid = tf.reshape(keyMap, [b, h, w, u]) as tf.Tensor4D;
    const padded = tf.mirrorPad(grid, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric'); // width-1 symmetric = edge
    const z: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        // One offset at a time, so only one [N, U] product is alive.
        const [zd, cd] = tf.tidy(() => {
          const qk = tf.mul(keyMap, tf.reshape(tf.slice(padded, [0, 1 + dy, 1 + dx, 0], [b, h, w, u]), [b * h * w, u]));
          return [tf.matMul(qk, wT), tf.matMul(qk, bias)];
        });
        z.push(zd as tf.Tensor2D);
        c.push(cd as tf.Tensor2D);
      }
    const hidden = wT.shape[1];
    return {
      logitTable: tf.reshape(tf.stack(z, 1), [9 * b * h * w, hidden]) as tf.Tensor2D,
      logitBias: tf.reshape(tf.stack(c, 1), [9 * b * h * w]) as tf.Tensor1D,
    };
  }

  /**
   * Decodes `Q` queries. Returns `[Q, 3]`: the attention-in-attention output (`query_rgb`), plus the
   * bilinear LR residual when `residual` is true (the generator output `pred_raw`).
   */
  decode(maps: FeatureMaps, qa: QueryArrays, residual = true): tf.Tensor2D {
    return tf.tidy(() => {
      const Q = qa.count;
      const u = 9 * this.channels;
      const dv = u + this.channels;
      const nIdx = tf.tensor1d(qa.nIdx, 'int32');
      const ext = tf.tensor2d(qa.ext, [4 * Q, 4]);
      // relu(proj[n] + ext·W_ext + b) as one kernel (gather + affine + activation).
      const firstHidden = (mlp: MLPRefiner, proj: tf.Tensor2D, split: number) =>
        gatherLinear(proj, nIdx, ext, mlp.firstWeightParts(split)[1], mlp.first.bias as tf.Tensor1D, 'relu');
      let logits: tf.Tensor; // [4, Q]
      if (maps.logitTable) {
        const pair = tf.tensor1d(pairRows(qa, maps.width), 'int32');
        const hk = this.imnetK.hiddenAfterFirstActivation(firstHidden(this.imnetK, maps.keyProj, u));
        const dots = tf.sum(tf.mul(hk, tf.gather(maps.logitTable, pair)), 1);
        logits = tf.reshape(tf.add(dots, tf.gather(maps.logitBias!, pair)), [4, Q]);
      } else {
        const query = tf.gather(maps.keyMap, tf.tensor1d(qa.qIdx, 'int32')); // [Q, U]
        const key = tf.gather(maps.keyMap, nIdx); // [4Q, U]
        // K = key ⊙ imnet_k(…); logits a_v = query · K_v (no 1/√d, softmax_scale 1)
        const kGated = tf.mul(key, this.imnetK.forwardAfterFirstActivation(firstHidden(this.imnetK, maps.keyProj, u)));
        logits = tf.sum(tf.mul(tf.reshape(kGated, [4, Q, u]), tf.expandDims(query, 0)), 2);
      }
      // V = value ⊙ imnet_v(…); softmax over the 4 neighbours, then the attention-weighted mixture of
      // the gated values, gather + gate + mix as one op (mixGatheredRows).
      const gate = this.imnetV.forwardAfterFirstActivation(firstHidden(this.imnetV, maps.valueProj, dv)) as tf.Tensor2D; // [4Q, U + C]
      const attn = tf.transpose(tf.softmax(tf.transpose(logits))) as tf.Tensor2D; // [4, Q]
      const mixed = mixGatheredRows(maps.valueMap, nIdx, gate, attn); // [Q, U + C]
      const rgb = this.imnetQ.forward(mixed);
      if (!residual) return rgb;
      return tf.add(rgb, bilinearResidual(maps.lr, qa));
    });
  }
}

/**
 * Row of {@link FeatureMaps.logitTable} for each (query, neighbour) of `qa` (neighbour-major `[4·Q]`):
 * `9·qIdx + 3·(dy + 1) + (dx + 1)` with (dy, dx) the neighbour's offset from the query's pixel.
 */
export function pairRows(qa: QueryArrays, width: number): Int32Array {
  const Q = qa.count;
  const rows = new Int32Array(4 * Q);
  for (let j = 0; j < 4; j++)
    for (let q = 0; q < Q; q++) {
      const a = qa.qIdx[q]!;
      const n = qa.nIdx[j * Q + q]!;
      const dy = Math.floor(n / width) - Math.floor(a / width);
      const dx = (n % width) - (a % width);
      if (dy < -1 || dy > 1 || dx < -1 || dx > 1) throw new Error(`internal: neighbour ${n} is not next to query pixel ${a} (map width ${width})`);
      rows[j * Q + q] = 9 * a + 3 * (dy + 1) + (dx + 1);
    }
  return rows;
}

/** `grid_sample(lr, coord, bilinear, border, align_corners=False)` from the precomputed corners/weights. */
export function bilinearResidual(lr: tf.Tensor2D, qa: QueryArrays): tf.Tensor2D {
  return tf.tidy(() => {
    const Q = qa.count;
    const ch = lr.shape[1];
    const corners = tf.reshape(tf.gather(lr, tf.tensor1d(qa.bIdx, 'int32')), [Q, 4, ch]);
    return tf.sum(tf.mul(corners, tf.tensor3d(qa.bW, [Q, 4, 1])), 1) as tf.Tensor2D;
  });
}
