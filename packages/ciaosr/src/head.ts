import * as tf from '@tensorflow/tfjs-core';
import { InputError, Module, gatherLinear } from '@sr/core';
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
}

/** Releases the tensors of {@link FeatureMaps}. */
export function disposeMaps(m: FeatureMaps): void {
  tf.dispose([m.keyMap, m.valueMap, m.lr, m.keyProj, m.valueProj]);
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

  /** F̃ = scale-aware non-local attention of the features (`[B, h, w, C]`). */
  nonLocal(feat: tf.Tensor4D): tf.Tensor4D {
    this.checkFeatures(feat);
    return this.csAttn.forward(feat);
  }

  /**
   * Builds the decoder's gather maps from features `F`, their non-local features `F̃` (both
   * `[B, h, w, C]`) and the normalised LR image `[B, h, w, 3]`.
   */
  prepare(feat: tf.Tensor4D, nlFeat: tf.Tensor4D, lr: tf.Tensor4D): FeatureMaps {
    this.checkFeatures(feat);
    return tf.tidy(() => {
      const [b, h, w, c] = feat.shape;
      const n = b * h * w;
      const unf = unfold3x3(feat);
      const keyMap = tf.reshape(unf, [n, 9 * c]) as tf.Tensor2D;
      const valueMap = tf.reshape(tf.concat([unf, nlFeat], 3), [n, 10 * c]) as tf.Tensor2D;
      // imnet_k/v's first layer is linear in [feature, ext]: apply its feature part once per LR pixel
      // (N rows) instead of once per query and neighbour (4·Q rows, Q ≈ s²·N).
      const keyProj = tf.matMul(keyMap, this.imnetK.firstWeightParts(9 * c)[0]) as tf.Tensor2D;
      const valueProj = tf.matMul(valueMap, this.imnetV.firstWeightParts(10 * c)[0]) as tf.Tensor2D;
      return { keyMap, valueMap, keyProj, valueProj, lr: tf.reshape(lr, [n, lr.shape[3]]) as tf.Tensor2D };
    });
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
      const query = tf.gather(maps.keyMap, tf.tensor1d(qa.qIdx, 'int32')); // [Q, U]
      const nIdx = tf.tensor1d(qa.nIdx, 'int32');
      const ext = tf.tensor2d(qa.ext, [4 * Q, 4]);
      const key = tf.gather(maps.keyMap, nIdx); // [4Q, U]
      const value = tf.gather(maps.valueMap, nIdx); // [4Q, U + C]
      const gate = (mlp: MLPRefiner, feats: tf.Tensor2D, proj: tf.Tensor2D, split: number) =>
        tf.tidy(() => {
          const [, wExt] = mlp.firstWeightParts(split);
          // relu(proj[n] + ext·W_ext + b) as one kernel (gather + affine + activation), then the rest.
          const h1 = gatherLinear(proj, nIdx, ext, wExt, mlp.first.bias as tf.Tensor1D, 'relu');
          return tf.mul(feats, mlp.forwardAfterFirstActivation(h1));
        });
      const kGated = gate(this.imnetK, key, maps.keyProj, u);
      const vGated = gate(this.imnetV, value, maps.valueProj, dv);
      // logits a_v = query · K_v (no 1/√d, softmax_scale 1), softmax over the 4 neighbours
      const logits = tf.sum(tf.mul(tf.reshape(kGated, [4, Q, u]), tf.expandDims(query, 0)), 2); // [4, Q]
      const attn = tf.softmax(tf.transpose(logits)); // [Q, 4]
      const mixed = tf.sum(tf.mul(tf.reshape(vGated, [4, Q, dv]), tf.expandDims(tf.transpose(attn), 2)), 0); // [Q, U + C]
      const rgb = this.imnetQ.forward(mixed);
      if (!residual) return rgb;
      return tf.add(rgb, bilinearResidual(maps.lr, qa));
    });
  }
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
