/**
 * Global context module (paper §3.2, Fig. 4): ROI features attend to features of r×r patches sampled
 * from the whole context, `g = softmax(α + β·QKᵀ/√c + b)·V` (Eq. 3), with zero-initialised
 * down/up samplers around bilinear resizing (Eq. 4–5).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InputError, Linear, Module, addFlops, scaledDotProductAttention, zerosInit } from '@sr/core';
import { ZeroInitDownsampler, ZeroInitUpsampler } from './samplers.js';
import type { PatchSelection } from './patch-sampling.js';

/** GCM options; every default is a documented choice (the paper leaves these open, see README §Design). */
export interface GcmOptions {
  /** Attention heads (default 1: then √c in Eq. 3 is literally the paper's √c). */
  heads?: number;
  /** Down/up factor f of S_down/S_up (default 2: a 6×6 patch becomes 3×3 key tokens). */
  factor?: number;
  /** Proximity bias b: `'l2'` (default), `'l1'` distance, or `'none'`. */
  proximity?: 'l2' | 'l1' | 'none';
  /** Initial γ of b = −γ·dist/L, dist in LR pixels, L the context's longer side (default 1). */
  proximityInit?: number;
  /** Initial α (default 0; a softmax-invariant no-op kept for fidelity) and β (default 1). */
  alphaInit?: number;
  betaInit?: number;
  /**
   * How g↑ joins the base features: `'zero-conv'` (default) z + Conv1×1(g↑) with the 1×1 conv
   * zero-initialised — the concat-then-conv fusion the paper allows, initialised as [I | 0] so a
   * pretrained backbone is unchanged at init; `'sum'` z + g↑ (the paper's other option).
   */
  fusion?: 'zero-conv' | 'sum';
}

/** Key/value memory of one context, computed once per image (`prepare`). Dispose when done. */
export interface GcmMemory {
  keys: tf.Tensor2D;
  values: tf.Tensor2D;
  /** Token centres `[Lk, 2]` (y, x) in LR pixels. */
  positions: tf.Tensor2D;
  /** Longer side of the context, the distance normaliser. */
  extent: number;
}

/** Disposes a {@link GcmMemory}. */
export function disposeMemory(m: GcmMemory): void {
  tf.dispose([m.keys, m.values, m.positions]);
}

/** Gathers the selected r×r patches of `x` `[1, H, W, C]` into `[N, r, r, C]` (one gather, differentiable). */
export function extractPatches(x: tf.Tensor4D, sel: PatchSelection, r: number): tf.Tensor4D {
  const [, H, W, C] = x.shape;
  const idx = new Int32Array(sel.ys.length * r * r);
  let o = 0;
  for (let i = 0; i < sel.ys.length; i++) for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) idx[o++] = (sel.ys[i] + a) * W + sel.xs[i] + b;
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [H * W, C]), tf.tensor1d(idx, 'int32')), [sel.ys.length, r, r, C]) as tf.Tensor4D);
}

/** Centres (y, x) of an `hh × ww` token grid of factor f whose source starts at (y0, x0). */
function tokenCentres(y0: number, x0: number, hh: number, ww: number, f: number, out: Float32Array, offset: number): void {
  let o = offset;
  for (let a = 0; a < hh; a++)
    for (let b = 0; b < ww; b++) {
      out[o++] = y0 + (a + 0.5) * f;
      out[o++] = x0 + (b + 0.5) * f;
    }
}

/** The GCM: shared down-sampler, Q/K/V projections (c×c, no bias: Eq. 2), α, β, γ, up-sampler, fusion. */
export class GlobalContextModule extends Module {
  readonly down: ZeroInitDownsampler;
  readonly up: ZeroInitUpsampler;
  readonly wq: Linear;
  readonly wk: Linear;
  readonly wv: Linear;
  readonly alpha: tf.Variable;
  readonly beta: tf.Variable;
  readonly gamma: tf.Variable | null;
  readonly fuse: Conv2d | null;
  readonly heads: number;
  readonly factor: number;
  readonly proximity: 'l2' | 'l1' | 'none';

  constructor(readonly channels: number, opts: GcmOptions = {}) {
    super();
    this.heads = opts.heads ?? 1;
    this.factor = opts.factor ?? 2;
    this.proximity = opts.proximity ?? 'l2';
    if (channels % this.heads) throw new InputError(`GCM: ${channels} channels are not divisible by ${this.heads} heads`);
    this.down = this.child('down', new ZeroInitDownsampler(channels, this.factor));
    this.wq = this.child('q', new Linear(channels, channels, { bias: false }));
    this.wk = this.child('k', new Linear(channels, channels, { bias: false }));
    this.wv = this.child('v', new Linear(channels, channels, { bias: false }));
    this.alpha = this.param('alpha', [1], (s) => tf.fill(s, opts.alphaInit ?? 0));
    this.beta = this.param('beta', [1], (s) => tf.fill(s, opts.betaInit ?? 1));
    this.gamma = this.proximity === 'none' ? null : this.param('gamma', [1], (s) => tf.fill(s, opts.proximityInit ?? 1));
    this.up = this.child('up', new ZeroInitUpsampler(channels, this.factor));
    const fusion = opts.fusion ?? 'zero-conv';
    this.fuse = fusion === 'zero-conv' ? this.child('fuse', new Conv2d(channels, channels, 1)) : null;
    if (this.fuse) {
      const f = this.fuse;
      tf.tidy(() => {
        f.weight.assign(zerosInit(f.weight.shape));
        f.bias?.assign(zerosInit(f.bias.shape));
      });
    }
  }

  /** Builds the key/value memory from 𝒢's patch features `m` `[N, r, r, c]` (paper: M↓ → K, V). */
  buildMemory(m: tf.Tensor4D, sel: PatchSelection, contextH: number, contextW: number): GcmMemory {
    const [n, r] = m.shape;
    const t = this.down.outSize(r);
    const pos = new Float32Array(n * t * t * 2);
    for (let i = 0; i < n; i++) tokenCentres(sel.ys[i], sel.xs[i], t, t, this.factor, pos, i * t * t * 2);
    return tf.tidy(() => {
      const tokens = tf.reshape(this.down.forward(m), [n * t * t, this.channels]);
      return {
        keys: this.wk.forward(tokens) as tf.Tensor2D,
        values: this.wv.forward(tokens) as tf.Tensor2D,
        positions: tf.tensor2d(pos, [n * t * t, 2]),
        extent: Math.max(contextH, contextW),
      };
    });
  }

  /**
   * Fuses global context into base features `z` `[1, h, w, c]` whose pixel (0, 0) is LR pixel
   * (y0, x0) of the context: z̃ = z + fuse(S_up(softmax(α + β·QKᵀ/√d + b)·V)).
   */
  forward(z: tf.Tensor4D, y0: number, x0: number, mem: GcmMemory): tf.Tensor4D {
    const [bsz, h, w, c] = z.shape;
    if (bsz !== 1) throw new InputError(`GCM runs one ROI at a time, got batch ${bsz}`);
    const hh = this.down.outSize(h);
    const ww = this.down.outSize(w);
    const qpos = new Float32Array(hh * ww * 2);
    tokenCentres(y0, x0, hh, ww, this.factor, qpos, 0);
    return tf.tidy(() => {
      const lq = hh * ww;
      const lk = mem.keys.shape[0];
      const d = c / this.heads;
      const split = (x: tf.Tensor, l: number) => tf.transpose(tf.reshape(x, [l, this.heads, d]), [1, 0, 2]);
      const q = tf.mul(this.wq.forward(tf.reshape(this.down.forward(z), [lq, c])), this.beta);
      let bias: tf.Tensor = tf.reshape(this.alpha, [1, 1]);
      if (this.gamma) {
        const diff = tf.sub(tf.reshape(tf.tensor2d(qpos, [lq, 2]), [lq, 1, 2]), tf.reshape(mem.positions, [1, lk, 2]));
        const dist = this.proximity === 'l1' ? tf.sum(tf.abs(diff), -1) : tf.sqrt(tf.sum(tf.square(diff), -1));
        bias = tf.sub(bias, tf.mul(tf.div(dist, mem.extent), this.gamma));
      }
      addFlops(4 * lq * lk * c); // QKᵀ and (softmax)·V
      const g = scaledDotProductAttention(split(q, lq), split(mem.keys, lk), split(mem.values, lk), { bias, scale: 1 / Math.sqrt(d) });
      const g4 = tf.reshape(tf.transpose(g, [1, 0, 2]), [1, hh, ww, c]) as tf.Tensor4D;
      const up = this.up.forward(g4, [h, w]);
      return tf.add(z, this.fuse ? this.fuse.forward(up) : up) as tf.Tensor4D;
    });
  }
}
