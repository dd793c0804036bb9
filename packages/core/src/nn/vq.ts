import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module } from './module.js';
import { oneHotFloat } from '../ops/one-hot.js';

/** Options of {@link VectorQuantizer}; names and defaults follow VQ-VAE-2's `Quantize` (rosinality). */
export interface VectorQuantizerOptions {
  /** EMA decay γ of the cluster sizes and code sums (default 0.99). */
  decay?: number;
  /** Laplace-smoothing ε of the cluster sizes (default 1e-5). */
  eps?: number;
  /**
   * Commitment weight β: {@link QuantizeResult.commitmentLoss} = β·mean((sg[q] − z)²). Default 0.25
   * (VQ-VAE, van den Oord et al. 2017, §3.2). The official LAR-SR/VQ-VAE-2 code returns the unweighted
   * MSE (`diff`, also exposed) and weights it in the training script.
   */
  beta?: number;
}

/** What {@link VectorQuantizer.forward} returns. The caller disposes the tensors. */
export interface QuantizeResult {
  /**
   * Straight-through quantised latent `z + sg[q − z]`, `[..., dim]`: its value is the nearest code,
   * its gradient w.r.t. `z` is the identity (VQ-VAE §3.1).
   */
  quantized: tf.Tensor;
  /** Index of the nearest code per position, `[...]` int32. */
  indices: tf.Tensor;
  /** `mean((sg[q] − z)²)`, scalar — the official `diff` (gradient flows into `z` only). */
  diff: tf.Scalar;
  /** `β · diff`, scalar. */
  commitmentLoss: tf.Scalar;
}

/**
 * `sg[·]` (stop-gradient): the value of `x`, with a zero gradient. tfjs-core has no
 * `stopGradient`, so this is a custom-gradient identity.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return f(x) as T;
}

/**
 * Nearest-neighbour vector quantiser with an EMA-updated codebook (VQ-VAE-2, Razavi et al. 2019,
 * App. A; the `Quantize` module that LAR-SR's `res_vq.py` / `blocks.py` copy from rosinality's
 * vq-vae-2-pytorch).
 *
 * State (all buffers, official names, so checkpoints load by key):
 * - `embed` `[dim, nEmbed]` — the codebook, **one column per code** (as the official code stores it);
 * - `cluster_size` `[nEmbed]` — EMA of how many vectors each code received;
 * - `embed_avg` `[dim, nEmbed]` — EMA of the sum of those vectors.
 *
 * Quantisation uses the squared L2 distance expanded as `|z|² − 2 z·E + |E_k|²` (exactly the
 * official expression, so near-ties resolve the same way) and takes the first index on ties.
 * Inputs are channel-last `[..., dim]`, which is what NHWC latents already are.
 *
 * Training: codebook vectors receive no gradient; call {@link VectorQuantizer.emaUpdate} once per
 * step with the batch's latents and indices (the official forward does it when `Train=True`).
 */
export class VectorQuantizer extends Module {
  readonly embed: tf.Variable;
  readonly clusterSize: tf.Variable;
  readonly embedAvg: tf.Variable;
  readonly decay: number;
  readonly eps: number;
  readonly beta: number;

  /**
   * @param dim code dimension (`embed_dim`, 64 in LAR-SR)
   * @param nEmbed number of codes K (1024 for LAR-SR DIV2K)
   */
  constructor(
    readonly dim: number,
    readonly nEmbed: number,
    opts: VectorQuantizerOptions = {},
  ) {
    super();
    this.decay = opts.decay ?? 0.99;
    this.eps = opts.eps ?? 1e-5;
    this.beta = opts.beta ?? 0.25;
    // Official init: embed ~ N(0, 1), embed_avg = embed.clone(), cluster_size = 0.
    const init = tf.randomNormal([dim, nEmbed], 0, 1, 'float32');
    this.embed = this.buffer('embed', [dim, nEmbed], () => tf.clone(init));
    this.clusterSize = this.buffer('cluster_size', [nEmbed], (s) => tf.zeros(s));
    this.embedAvg = this.buffer('embed_avg', [dim, nEmbed], () => tf.clone(init));
    init.dispose();
  }

  /** Squared L2 distance of every row of `flat` `[N, dim]` to every code: `[N, nEmbed]`. */
  distances(flat: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const e = this.embed as tf.Tensor2D;
      const zz = tf.sum(tf.square(flat), 1, true);
      const ze = tf.matMul(flat, e);
      const ee = tf.sum(tf.square(e), 0, true);
      return tf.add(tf.sub(zz, tf.mul(ze, 2)), ee) as tf.Tensor2D;
    });
  }

  /** Nearest-code indices of `z` `[..., dim]` → `[...]` int32 (first index on ties). */
  encode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      this.checkDim(z);
      const flat = tf.reshape(z, [-1, this.dim]) as tf.Tensor2D;
      return tf.reshape(tf.argMin(this.distances(flat), 1), z.shape.slice(0, -1));
    });
  }

  /** Codebook lookup (`embed_code`): int indices `[...]` → codes `[..., dim]`. */
  lookup(indices: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = tf.reshape(tf.cast(indices, 'int32'), [-1]);
      const codes = tf.gather(tf.transpose(this.embed), flat);
      return tf.reshape(codes, [...indices.shape, this.dim]);
    });
  }

  /**
   * Quantises `z` `[..., dim]`. Pure: it never touches the codebook (call
   * {@link VectorQuantizer.emaUpdate} for that), so it is safe inside `optimizer.minimize`.
   */
  forward(z: tf.Tensor): QuantizeResult {
    return tf.tidy(() => {
      const indices = this.encode(z);
      // q = sg[E[indices]]: one custom-gradient node (ops inside a custom forward are not taped)
      // with a zero gradient, so backprop never walks into argMin/gather (tfjs has no usable
      // gradient w.r.t. gather's int indices).
      const nearestCode = tf.customGrad(() => ({
        value: this.lookup(indices),
        gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
      }));
      const q = nearestCode(z);
      const diff = tf.mean(tf.square(tf.sub(q, z))) as tf.Scalar;
      // Official: quantize = input + (quantize - input).detach() (same rounding as PyTorch).
      const quantized = tf.add(z, stopGradient(tf.sub(q, z)));
      const commitmentLoss = tf.mul(diff, this.beta) as tf.Scalar;
      return { quantized, indices, diff, commitmentLoss };
    }) as QuantizeResult;
  }

  /**
   * One EMA codebook step (VQ-VAE-2 App. A.1, official `Quantize.forward` with `Train=True`):
   * `N ← γN + (1−γ)·counts`, `m ← γm + (1−γ)·Σz`, then Laplace smoothing
   * `Ñ_k = (N_k + ε)/(n + Kε)·n` and `embed = m / Ñ`. Codes that never win decay towards zero
   * usage but keep a finite vector thanks to ε.
   * @param z latents `[..., dim]` of the batch
   * @param indices the indices `forward`/`encode` assigned to them
   */
  emaUpdate(z: tf.Tensor, indices: tf.Tensor): void {
    tf.tidy(() => {
      const flat = tf.reshape(z, [-1, this.dim]) as tf.Tensor2D;
      const onehot = oneHotFloat(indices, this.nEmbed);
      const count = tf.sum(onehot, 0);
      const sum = tf.matMul(flat, onehot, true, false);
      const d = this.decay;
      const cs = tf.add(tf.mul(this.clusterSize, d), tf.mul(count, 1 - d));
      const avg = tf.add(tf.mul(this.embedAvg, d), tf.mul(sum, 1 - d));
      const n = tf.sum(cs);
      const smoothed = tf.mul(tf.div(tf.add(cs, this.eps), tf.add(n, this.nEmbed * this.eps)), n);
      this.clusterSize.assign(cs);
      this.embedAvg.assign(avg);
      this.embed.assign(tf.div(avg, tf.expandDims(smoothed, 0)));
    });
  }

  private checkDim(z: tf.Tensor): void {
    if (z.shape[z.rank - 1] !== this.dim)
      throw new InputError(`VectorQuantizer expects channel-last latents with ${this.dim} channels, got [${z.shape}]`);
  }
}
