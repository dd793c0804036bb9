/**
 * The LAR sampler (`Local_Ar.pred` of the official code, paper §3.3 "inference").
 *
 * Exactly s² sequential steps; at step i every patch of every image samples position i in parallel:
 * 1. run the gated layers for position i (incrementally: each layer is causal over positions, so
 *    output i needs only inputs ≤ i — the official code instead re-runs all s² positions on
 *    `[init, cache_0 … cache_{s²−2}]` with zeros in unfilled slots; both give the same output i);
 * 2. softmax of `out_conv` at position i (with temperature and top-k if asked);
 * 3. per location, with probability `argmaxProb` (official `thed`, 0.05 in test.py) take the
 *    argmax, else sample the categorical: with injected noise as Gumbel-max `argmax(p / q)`,
 *    q ~ Exp(1) — exactly how `torch.multinomial(p, 1)` is implemented on CPU (torch ≥ 1.9) — and
 *    with the seeded generators by inverse CDF (the same distribution, one uniform per location);
 * 4. encode the sampled index (enc2, fusion with position i's enc1) as the next input token.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, throwIfAborted, yieldToEventLoop } from '@sr/core';
import type { GateState } from './gate-layer.js';
import type { LocalAR } from './local-ar.js';
import { foldIndexArrays, sliceSeq } from './patches.js';
import { sampleRng, type Uniform } from './rng.js';

/**
 * Injected randomness (golden parity, STOCHASTIC.md): per step, the Exp(1) noise `q` and the
 * argmax flags for all N = B·(H/s)·(W/s) locations, row-major over (b, gy, gx).
 */
export interface SampleNoise {
  /** `q` for step `i`, `N·K` values, row-major over (n, k). */
  expNoise(step: number): ArrayLike<number>;
  /** Flags for step `i`, N values; non-zero = take the argmax. */
  argmaxMask(step: number): ArrayLike<number>;
}

/** Options of {@link sampleIndices}. */
export interface SamplerOptions {
  /** Seed of the per-sample generators (default 0). Sample b of the batch uses stream `firstSample + b`. */
  seed?: number;
  /** Stream index of the first batch row (so batching does not change samples). Default 0. */
  firstSample?: number;
  /** Softmax temperature (default 1, as the official sampler). */
  temperature?: number;
  /** Keep only the k most probable codes (default 0 = all). */
  topK?: number;
  /** Probability of taking the argmax instead of a sample (official `thed`; default 0.05). */
  argmaxProb?: number;
  /** Always take the argmax (the golden "greedy" variant). */
  greedy?: boolean;
  /** Injected noise; replaces the seeded generators (golden parity). */
  noise?: SampleNoise;
  /**
   * Called after each step with the step's probabilities (`N·K`; with `topK`, the `N·k` candidate
   * probabilities, largest first) and the chosen indices (`N`).
   */
  onStep?: (step: number, probs: Float32Array, ids: Int32Array) => void;
  signal?: AbortSignal;
}

/**
 * Chooses one code per location (see module docs, step 3) from `probs`, `n` rows of candidates:
 * all K codes (`codes` absent), or the top-k codes listed row-wise in `codes` (`[n, k']`).
 * - greedy, or the argmax flag: the most probable candidate (first on ties);
 * - injected noise: Gumbel-max `argmax_c p_c / q_c` with q indexed by code (`[n, K]`) — exactly the
 *   official `torch.multinomial`;
 * - otherwise inverse-CDF sampling with one uniform per location from that row's generator
 *   (an exact categorical draw, K× cheaper than drawing K exponentials).
 * @param rngs one generator per batch row (`n / rngs.length` locations each); unused with `noise`
 */
export function chooseIndices(probs: Float32Array, n: number, k: number, step: number, opts: SamplerOptions, rngs: Uniform[], codes?: Int32Array): Int32Array {
  const ids = new Int32Array(n);
  const cols = probs.length / n;
  const argmaxProb = opts.argmaxProb ?? 0.05;
  const q = opts.noise && !opts.greedy ? opts.noise.expNoise(step) : null;
  const mask = opts.noise && !opts.greedy ? opts.noise.argmaxMask(step) : null;
  if (q && q.length !== n * k) throw new InputError(`injected exp noise for step ${step} has ${q.length} values, expected ${n * k}`);
  if (mask && mask.length !== n) throw new InputError(`injected argmax mask for step ${step} has ${mask.length} values, expected ${n}`);
  const perRng = n / Math.max(1, rngs.length);
  const code = (r: number, c: number) => (codes ? codes[r * cols + c]! : c);
  for (let r = 0; r < n; r++) {
    const o = r * cols;
    const rng = rngs[Math.floor(r / perRng)];
    const take = opts.greedy ? true : mask ? mask[r] !== 0 : rng!() < argmaxProb;
    let best = 0;
    if (take || q) {
      let bestV = -Infinity;
      for (let c = 0; c < cols; c++) {
        const v = take ? probs[o + c]! : probs[o + c]! / q![r * k + code(r, c)]!;
        if (v > bestV) {
          bestV = v;
          best = c;
        }
      }
    } else {
      let total = 0;
      for (let c = 0; c < cols; c++) total += probs[o + c]!;
      const u = rng!() * total;
      let acc = 0;
      best = -1;
      for (let c = 0; c < cols; c++) {
        const p = probs[o + c]!;
        if (p <= 0) continue;
        best = c; // last positive candidate: the fallback when rounding leaves acc < u
        acc += p;
        if (acc > u) break;
      }
      if (best < 0) best = 0;
    }
    ids[r] = code(r, best);
  }
  return ids;
}

/**
 * Samples an index map `[B, H/2, W/2]` (int32) for x_c `[B, H, W, 3]` in exactly s² sequential
 * passes. Leaves no tensors behind except the result.
 */
export async function sampleIndices(lar: LocalAR, xc: tf.Tensor4D, opts: SamplerOptions = {}): Promise<tf.Tensor3D> {
  const t = opts.temperature ?? 1;
  if (!(t > 0)) throw new InputError(`temperature must be > 0, got ${t}`);
  const topK = opts.topK && opts.topK > 0 && opts.topK < lar.config.nEmbed && !opts.greedy ? opts.topK : 0;
  const s = lar.patchSize;
  const l = s * s;
  const k = lar.config.nEmbed;
  const cond = lar.condition(xc);
  const [b, gh, gw] = cond.init.shape;
  const n = b * gh * gw;
  const layers = lar.gateConvGroup.items;
  const states: GateState[] = layers.map(() => ({ inputs: [], cache: [] }));
  const seed = opts.seed ?? 0;
  const rngs = Array.from({ length: b }, (_, i) => sampleRng(seed, (opts.firstSample ?? 0) + i));
  const steps: tf.Tensor[] = [];
  const tokens: tf.Tensor[] = [];
  const maps: Int32Array[] = [];
  let token: tf.Tensor4D = cond.init;
  try {
    for (let i = 0; i < l; i++) {
      if (i > 0) await yieldToEventLoop(); // a timer-fired abort lands between steps
      throwIfAborted(opts.signal);
      const srFeat = tf.tidy(() => tf.squeeze(sliceSeq(cond.srFeature, i, 1), [1]));
      try {
        const [probsT, codesT]: (tf.Tensor | undefined)[] = tf.tidy((): tf.Tensor[] => {
          const x = layers.reduce((h, layer, j) => layer.step(states[j]!, h, i), token);
          const logits = lar.head(x, srFeat);
          const p = tf.softmax(t === 1 ? logits : tf.div(logits, t));
          if (!topK) return [p];
          const top = tf.topk(p, topK); // only the candidates leave the device
          return [top.values, top.indices];
        });
        const probs = (await probsT!.data()) as Float32Array;
        const codes = codesT ? ((await codesT.data()) as Int32Array) : undefined;
        tf.dispose([probsT!, ...(codesT ? [codesT] : [])]);
        const ids = chooseIndices(probs, n, k, i, opts, rngs, codes);
        opts.onStep?.(i, probs, ids);
        const idsT = tf.tensor3d(ids, [b, gh, gw], 'int32');
        steps.push(idsT);
        maps.push(ids);
        if (i < l - 1) tokens.push((token = tf.tidy(() => lar.embed(idsT, srFeat)) as tf.Tensor4D));
      } finally {
        srFeat.dispose();
      }
    }
    // Folded in JS: no int32 stack/transpose on the device (tfjs-webgpu 4.22 cannot do either).
    return tf.tensor3d(foldIndexArrays(maps, b, gh, gw, s), [b, gh * s, gw * s], 'int32');
  } finally {
    tf.dispose(steps);
    tf.dispose(tokens);
    for (const st of states) tf.dispose([...st.inputs, ...st.cache]);
    tf.dispose([cond.srEncoded, cond.srFeature, cond.init]);
  }
}
