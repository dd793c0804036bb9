import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { zerosInit } from './init.js';

/**
 * Finite stand-in for −∞ in additive masks: `exp(x − 1e30 − max)` underflows to exactly 0 in
 * float32, so masked keys get weight 0 as with −∞, but backends never see ∞ − ∞ (WebGPU shaders
 * are not guaranteed to preserve infinities). A fully masked row becomes uniform instead of NaN.
 */
export const MASK_NEG = -1e30;

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /**
   * Additive bias on the logits, broadcastable to `[..., Lq, Lk]` — a relative-position bias, or a
   * PyTorch-style float `attn_mask` (−∞ entries are accepted and replaced by {@link MASK_NEG}).
   */
  bias?: tf.Tensor;
  /** Causal mask: query `i` attends to keys `j ≤ i` (top-left aligned, as PyTorch's `is_causal`). */
  causal?: boolean;
  /** Logit scale; default `1/√d` with `d` the query/key depth. */
  scale?: number;
  /** Dropout probability on the attention weights (applied only when > 0; use in training). */
  dropout?: number;
  /** Also return the attention weights (`[..., Lq, Lk]`). */
  returnWeights?: boolean;
}

/** Additive causal mask `[lq, lk]`: 0 where `j ≤ i`, {@link MASK_NEG} above the diagonal. */
export function causalMask(lq: number, lk = lq): tf.Tensor2D {
  return tf.tidy(() => {
    const i = tf.reshape(tf.range(0, lq, 1, 'int32'), [lq, 1]);
    const j = tf.reshape(tf.range(0, lk, 1, 'int32'), [1, lk]);
    return tf.where(tf.greater(j, i), tf.fill([lq, lk], MASK_NEG), tf.zeros([lq, lk])) as tf.Tensor2D;
  });
}

/**
 * `softmax(q kᵀ · scale + bias) v` over the last two axes (Vaswani et al. 2017, eq. 1), for
 * `q` `[..., Lq, d]`, `k` `[..., Lk, d]`, `v` `[..., Lk, dv]` with identical leading axes.
 * Returns `[..., Lq, dv]` (and the weights when `returnWeights`).
 */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions & { returnWeights: true }): [tf.Tensor, tf.Tensor];
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts?: AttentionOptions): tf.Tensor;
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, opts: AttentionOptions = {}): tf.Tensor | [tf.Tensor, tf.Tensor] {
  if (q.rank < 2 || k.rank !== q.rank || v.rank !== q.rank)
    throw new InputError(`scaledDotProductAttention: q, k, v must have equal rank ≥ 2, got [${q.shape}], [${k.shape}], [${v.shape}]`);
  const d = q.shape[q.rank - 1];
  if (k.shape[k.rank - 1] !== d) throw new InputError(`scaledDotProductAttention: q depth ${d} ≠ k depth ${k.shape[k.rank - 1]}`);
  if (k.shape[k.rank - 2] !== v.shape[v.rank - 2]) throw new InputError('scaledDotProductAttention: k and v need the same length');
  const out = tf.tidy(() => {
    const scale = opts.scale ?? 1 / Math.sqrt(d);
    const lq = q.shape[q.rank - 2];
    const lk = k.shape[k.rank - 2];
    const lead = q.shape.slice(0, -2);
    const b = lead.reduce((a, x) => a * x, 1);
    // Scale q before the product, as PyTorch's MultiheadAttention does (same rounding).
    const q3 = tf.reshape(tf.mul(q, scale), [b, lq, d]) as tf.Tensor3D;
    const k3 = tf.reshape(k, [b, lk, d]) as tf.Tensor3D;
    const v3 = tf.reshape(v, [b, lk, v.shape[v.rank - 1]]) as tf.Tensor3D;
    let logits: tf.Tensor = tf.reshape(tf.matMul(q3, k3, false, true), [...lead, lq, lk]);
    if (opts.bias) logits = tf.add(logits, tf.maximum(opts.bias, MASK_NEG));
    if (opts.causal) logits = tf.add(logits, causalMask(lq, lk));
    let w = tf.softmax(logits, -1);
    const weights = w;
    if (opts.dropout && opts.dropout > 0) w = tf.dropout(w, opts.dropout);
    const o = tf.reshape(tf.matMul(tf.reshape(w, [b, lq, lk]) as tf.Tensor3D, v3), [...lead, lq, v.shape[v.rank - 1]]);
    return opts.returnWeights ? [o, weights] : [o];
  });
  return opts.returnWeights ? [out[0], out[1]] : out[0];
}

/** Options of {@link MultiheadAttention}; names and defaults follow `torch.nn.MultiheadAttention`. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
}

/** Per-call options of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionCallOptions {
  /** Causal mask over the sequence (LAR-attn's `future_mask`). */
  causal?: boolean;
  /**
   * Additive logit bias/mask broadcastable to `[N, heads, Lq, Lk]` — e.g. PyTorch's float
   * `attn_mask` `[Lq, Lk]` (−∞ accepted) or a per-head relative-position bias `[heads, Lq, Lk]`.
   */
  bias?: tf.Tensor;
}

/**
 * `torch.nn.MultiheadAttention` with packed input projections, **batch-first**: `query` `[N, Lq, E]`,
 * `key`/`value` `[N, Lk, E]` → `[N, Lq, E]` (PyTorch's default layout is sequence-first; transpose
 * to `[N, L, E]` before calling). Parameter names are PyTorch's:
 * - `in_proj_weight` `[3E, E]` (q, k, v stacked in that order), `in_proj_bias` `[3E]`;
 * - `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`.
 *
 * Each head uses scale `1/√(E/heads)`. LAR-SR's LAR-attn (`fold_attention_model.py`) calls it with
 * q/k/v already produced by its own MLPs, 8 heads and a causal float mask; this module's
 * in-projection is applied on top, exactly as there.
 */
export class MultiheadAttention extends Module {
  readonly inProjWeight: tf.Variable;
  readonly inProjBias: tf.Variable | null;
  readonly outProj: Linear;
  readonly headDim: number;
  readonly dropout: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    if (embedDim % numHeads) throw new InputError(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    const bias = opts.bias ?? true;
    // PyTorch: xavier_uniform_ on in_proj_weight, zero biases (approximated by a uniform of the same bound).
    const bound = Math.sqrt(6 / (embedDim + 3 * embedDim));
    this.inProjWeight = this.param('in_proj_weight', [3 * embedDim, embedDim], (s) => tf.randomUniform(s, -bound, bound), 'linear');
    this.inProjBias = bias ? this.param('in_proj_bias', [3 * embedDim], zerosInit) : null;
    this.outProj = this.child('out_proj', new Linear(embedDim, embedDim, { bias }));
    if (bias && this.outProj.bias) this.outProj.bias.assign(tf.zeros([embedDim]));
  }

  /** Applies the `i`-th (0 = q, 1 = k, 2 = v) slice of the packed input projection. */
  private project(x: tf.Tensor, i: number): tf.Tensor {
    const e = this.embedDim;
    const w = tf.slice(this.inProjWeight, [0, i * e], [e, e]) as tf.Tensor2D;
    const y = tf.matMul(tf.reshape(x, [-1, e]) as tf.Tensor2D, w);
    const yb = this.inProjBias ? tf.add(y, tf.slice(this.inProjBias, [i * e], [e])) : y;
    return tf.reshape(yb, x.shape);
  }

  /** `[N, L, E]` → `[N, heads, L, E/heads]`. */
  private splitHeads(x: tf.Tensor): tf.Tensor {
    const [n, l] = x.shape;
    return tf.transpose(tf.reshape(x, [n, l, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  /** Attention output `[N, Lq, E]`. */
  forward(query: tf.Tensor, key: tf.Tensor = query, value: tf.Tensor = key, opts: MultiheadAttentionCallOptions = {}): tf.Tensor {
    return tf.tidy(() => {
      for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const)
        if (t.rank !== 3 || t.shape[2] !== this.embedDim)
          throw new InputError(`MultiheadAttention: ${name} must be [N, L, ${this.embedDim}] (batch-first), got [${t.shape}]`);
      const [n, lq] = query.shape;
      const q = this.splitHeads(this.project(query, 0));
      const k = this.splitHeads(this.project(key, 1));
      const v = this.splitHeads(this.project(value, 2));
      const o = scaledDotProductAttention(q, k, v, {
        causal: opts.causal,
        bias: opts.bias,
        dropout: this.training ? this.dropout : 0,
      });
      const merged = tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [n, lq, this.embedDim]);
      return this.outProj.forward(merged);
    });
  }
}
