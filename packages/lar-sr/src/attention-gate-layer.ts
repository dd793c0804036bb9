/**
 * LAR-attn's layer — `attention_gate_layer` of `fold_attention_model.py` (paper §3.4, eqs. 9–11).
 *
 * Per layer (official code): a shared ResidualBlockBN on every position (`w_in_conv.0`); then, per
 * spatial location, the sequence of s² tokens gets 2 coordinate channels (`background` buffer:
 * `(r − (s−1)/2)/(s−1)` and `(c − (s−1)/2)/(s−1)`), `pre_sparse` = Linear(C+2→C)+ELU, q/k MLPs
 * (Linear, ELU, Linear) and a one-Linear v; these feed `nn.MultiheadAttention(C, 8 heads)` — which
 * applies its own in-projection on top — with a **causal** mask; the layer input is added back.
 * The paper's score `W(f_i ⊕ p_i)·U(f_t ⊕ p_t)` with a learned position code is what this computes
 * up to the extra MLPs; we follow the code.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, MultiheadAttention } from '@sr/core';
import { Container, LinearEluStack, ResidualBlockBN } from './blocks.js';
import type { GateLayer, GateState } from './gate-layer.js';

/** Number of attention heads in the official LAR-attn. */
export const LAR_ATTN_HEADS = 8;

/**
 * The official coordinate channels `[1, 2, s, s]` (row coordinate first). For s = 1 the official
 * formula divides by zero (NaN); we use 0 there.
 */
export function coordinateBackground(s: number): tf.Tensor4D {
  const v = (k: number) => (s === 1 ? 0 : (k - (s - 1) / 2) / (s - 1));
  const data = new Float32Array(2 * s * s);
  for (let r = 0; r < s; r++)
    for (let c = 0; c < s; c++) {
      data[r * s + c] = v(r);
      data[s * s + r * s + c] = v(c);
    }
  return tf.tensor4d(data, [1, 2, s, s]);
}

/** `attention_gate_layer(channel, scale)` (see module docs). */
export class AttentionGateLayer extends Module implements GateLayer {
  readonly wInConv: ResidualBlockBN;
  readonly preSparse: Linear;
  readonly kSparse: LinearEluStack;
  readonly qSparse: LinearEluStack;
  readonly vSparse: Linear;
  readonly attention: MultiheadAttention;
  readonly background: tf.Variable;
  readonly n: number;

  constructor(readonly channel: number, readonly scale: number) {
    super();
    this.n = scale * scale;
    this.background = this.buffer('background', [1, 2, scale, scale], () => coordinateBackground(scale));
    this.wInConv = this.child('w_in_conv', new Container()).add('0', new ResidualBlockBN(channel, channel, 0.1));
    this.preSparse = this.child('pre_sparse', new Container()).add('0', new Linear(channel + 2, channel));
    this.kSparse = this.child('k_sparse', new LinearEluStack([channel, channel, channel]));
    this.qSparse = this.child('q_sparse', new LinearEluStack([channel, channel, channel]));
    this.vSparse = this.child('v_sparse', new Container()).add('0', new Linear(channel, channel));
    this.attention = this.child('attention', new MultiheadAttention(channel, LAR_ATTN_HEADS, { dropout: 0.2 }));
  }

  /** Coordinate channels as tokens `[s², 2]` (position p = r·s + c). */
  private coords(): tf.Tensor2D {
    return tf.transpose(tf.reshape(this.background, [2, this.n])) as tf.Tensor2D;
  }

  /** `[M, L, C]` tokens (after w_in_conv) with coordinates `[L, 2]` → q, k, v `[M, L, C]`. */
  private qkv(tokens: tf.Tensor, coords: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const [m, l] = tokens.shape;
    // concat(tokens, coords) @ W = tokens @ W[:C] + coords @ W[C:]; the coordinate term is added by
    // broadcasting instead of tiling the coordinates over all m sequences.
    const w = this.preSparse.weight; // tfjs layout [C + 2, C]
    const ch = this.channel;
    const tok = tf.matMul(tf.reshape(tokens, [m * l, ch]), tf.slice(w, [0, 0], [ch, ch]));
    let coordTerm = tf.matMul(coords as tf.Tensor2D, tf.slice(w, [ch, 0], [2, ch]));
    if (this.preSparse.bias) coordTerm = tf.add(coordTerm, this.preSparse.bias);
    const t = tf.elu(tf.add(tf.reshape(tok, [m, l, ch]), coordTerm));
    return [this.qSparse.forward(t), this.kSparse.forward(t), this.vSparse.forward(t)];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [b, l, h, w, c] = x.shape;
      if (l !== this.n) throw new Error(`AttentionGateLayer expects ${this.n} positions, got [${x.shape}]`);
      const y = tf.reshape(this.wInConv.forward(tf.reshape(x, [b * l, h, w, c])), [b, l, h, w, c]);
      // [B, L, h·w, C] → [B, h·w, L, C] (rank-4 transposes only; see patches.ts).
      const seq = tf.reshape(tf.transpose(tf.reshape(y, [b, l, h * w, c]), [0, 2, 1, 3]), [b * h * w, l, c]);
      const [q, k, v] = this.qkv(seq, this.coords());
      const o = this.attention.forward(q, k, v, { causal: true });
      const back = tf.reshape(tf.transpose(tf.reshape(o, [b, h * w, l, c]), [0, 2, 1, 3]), [b, l, h, w, c]);
      return tf.add(back, x);
    });
  }

  /** Incremental pass: caches this layer's k and v (before the MHA in-projection) per position. */
  step(state: GateState, xi: tf.Tensor4D, i: number): tf.Tensor4D {
    const [b, h, w, c] = xi.shape;
    const out = tf.tidy(() => {
      const tok = tf.reshape(this.wInConv.forward(xi), [b * h * w, 1, c]);
      const coord = tf.slice(this.coords(), [i, 0], [1, 2]);
      const [q, k, v] = this.qkv(tok, coord);
      const ks = tf.keep(state.cache.length ? tf.concat([state.cache[0], k], 1) : k);
      const vs = tf.keep(state.cache.length ? tf.concat([state.cache[1], v], 1) : v);
      tf.dispose(state.cache);
      state.cache = [ks, vs];
      // Query i attends to keys 0..i — all cached ones — so no mask is needed here.
      const o = this.attention.forward(q, ks, vs);
      return tf.add(tf.reshape(o, [b, h, w, c]), xi) as tf.Tensor4D;
    });
    if (cachedLength(state) !== i + 1) throw new Error(`AttentionGateLayer.step: position ${i} with ${cachedLength(state)} cached keys`);
    return out;
  }
}

/** Number of positions whose keys a layer state has cached. */
const cachedLength = (s: GateState): number => s.cache[0]?.shape[1] ?? 0;
