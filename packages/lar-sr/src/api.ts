/**
 * The public entry point: `createLarSR({ weights })` → a {@link LarSR} whose `sample(image, …)`
 * returns diverse super-resolved images (paper §3.1 inference: x_c = C(LR); sample I ~ P(I | x_c)
 * with the LAR module; x = D(E[I], x_c) + x_c).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  InputError, RRDBNet, assertSampleCount, imageDataToTensor, imageToTensor, initBackend, isImageDataLike, throwIfAborted,
  type ImageArray, type ImageDataLike, type RRDBNetOptions,
} from '@sr/core';
import { createCoarseModel } from './coarse.js';
import { LocalAR, larSizeMultiple, type LocalARConfig } from './local-ar.js';
import { LarSRImage } from './result.js';
import { sampleIndices } from './sampler.js';
import { TexVQVAE, splitCoarseKeys, type TexVQVAEConfig } from './vqvae.js';
import { inferLarConfig, inferVqvaeConfig, loadStateDict, type WeightsSource } from './weights.js';

/** Progress of a long call. */
export interface LarSRProgress {
  stage: 'load' | 'coarse' | 'sample' | 'decode';
  done: number;
  total: number;
}

/** Options of {@link createLarSR}. */
export interface CreateLarSROptions {
  /**
   * Official-layout checkpoints. `rrdb` (ESRGAN keys, e.g. RRDB_PSNR_x4.pth) is optional: without it
   * (and without `cause_sr.*` keys in `vqvae`) the input image is taken to be x_c already — the
   * official `backbone='bicubic'` mode, where the coarse module is the identity.
   */
  weights?: { rrdb?: WeightsSource; vqvae: WeightsSource; lar: WeightsSource };
  /** Random-weight models of these sizes when `weights` is absent (tests, benchmarks). */
  config?: { vqvae?: TexVQVAEConfig; lar?: LocalARConfig; rrdb?: RRDBNetOptions };
  /** Switch tfjs to this backend first. */
  backend?: 'cpu' | 'wasm' | 'webgpu' | 'auto';
  /** Called with stage `'load'` after each checkpoint is read (`done` of 3); not called for random weights. */
  onProgress?: (p: LarSRProgress) => void;
  /** Aborts between checkpoint reads with an `AbortError`. */
  signal?: AbortSignal;
}

/** Options of {@link LarSR.sample}. */
export interface LarSRSampleOptions {
  /** Number of samples (default 1). */
  count?: number;
  /** Seed; sample j uses stream j of this seed, so results do not depend on `batchSize`. Default 0. */
  seed?: number;
  /** Softmax temperature (default 1). */
  temperature?: number;
  /** Sample among the k most probable codes only (default: all). */
  topK?: number;
  /** Must equal the LAR checkpoint's patch size if given (it is fixed by the weights). */
  patchSize?: number;
  /** Argmax at every position (deterministic; `count` copies are identical). */
  greedy?: boolean;
  /** Probability of taking the argmax at a location (official `thed` = 0.05). */
  argmaxProb?: number;
  /** Samples decoded in parallel (default: as many as fit ~16 M probabilities per step). */
  batchSize?: number;
  /**
   * Called during autoregressive sampling (stage `'sample'`, counting patch positions over all samples:
   * `total` = count·s²) and after each decoded batch (stage `'decode'`, counting samples).
   */
  onProgress?: (p: LarSRProgress) => void;
  /** Aborts sampling with an `AbortError`; finished samples are disposed. */
  signal?: AbortSignal;
}

/** Image inputs: tensor `[H,W,C]`/`[1,H,W,C]` in [0,1], a decoded {@link ImageArray}, or ImageData. */
export type LarSRInput = tf.Tensor3D | tf.Tensor4D | ImageArray | ImageDataLike;

function toInput(img: LarSRInput): tf.Tensor4D {
  return tf.tidy(() => {
    let t: tf.Tensor;
    if (img instanceof tf.Tensor) t = img.rank === 3 ? tf.expandDims(img, 0) : tf.clone(img);
    else if (isImageDataLike(img)) t = imageDataToTensor(img, { alpha: 'drop' });
    else t = imageToTensor(img as ImageArray, { alpha: 'drop' });
    if (t.rank !== 4 || t.shape[0] !== 1) throw new InputError(`LarSR: expected one image [H, W, C] or [1, H, W, C], got [${t.shape}]`);
    const c = t.shape[3]!;
    if (c === 1) t = tf.tile(t, [1, 1, 1, 3]);
    else if (c === 4) t = tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 3]);
    else if (c !== 3) throw new InputError(`LarSR: expected 1, 3 or 4 channels, got ${c}`);
    return tf.cast(t, 'float32') as tf.Tensor4D;
  });
}

/** A loaded LAR-SR model (coarse RRDB + tex-VQVAE + LAR / LAR-attn). */
export class LarSR {
  constructor(
    readonly vqvae: TexVQVAE,
    readonly lar: LocalAR,
    readonly coarseModel: RRDBNet | null,
  ) {
    if (vqvae.config.nEmbed !== lar.config.nEmbed)
      throw new InputError(`LAR codebook size ${lar.config.nEmbed} differs from the VQ-VAE's ${vqvae.config.nEmbed}: the checkpoints do not belong together`);
  }

  /** Patch size s of the LAR checkpoint (s² sequential sampling steps). */
  get patchSize(): number {
    return this.lar.patchSize;
  }

  /** Output/input size ratio: 4 with the RRDB coarse model, 1 when the input is x_c. */
  get scale(): number {
    return this.coarseModel ? 4 : 1;
  }

  /** x_c = C(LR) (`[1, 4H, 4W, 3]`), or the input itself without a coarse model. Caller disposes. */
  coarse(image: LarSRInput): tf.Tensor4D {
    return tf.tidy(() => {
      const x = toInput(image);
      return this.coarseModel ? this.coarseModel.forward(x) : x;
    });
  }

  /**
   * Draws `count` diverse SR samples of `image`. Same options and seed → identical samples;
   * different seeds → different samples. x_c is padded (edge-symmetric) to the size the networks
   * need (a multiple of 16, or 48 for s = 3) and outputs are cropped back.
   */
  async sample(image: LarSRInput, opts: LarSRSampleOptions = {}): Promise<LarSRImage[]> {
    this.lar.assertNotDisposed('this LAR-SR model');
    const count = assertSampleCount(opts.count ?? 1, 'LAR-SR sample');
    if (opts.patchSize !== undefined && opts.patchSize !== this.patchSize)
      throw new InputError(`patchSize ${opts.patchSize} requested, but the LAR weights are for patch size ${this.patchSize} (the patch size is fixed by the checkpoint)`);
    if (opts.topK !== undefined && !(Number.isInteger(opts.topK) && opts.topK >= 1)) throw new InputError(`topK must be a positive integer, got ${opts.topK}`);
    throwIfAborted(opts.signal);
    const seed = opts.seed ?? 0;
    const xc = this.coarse(image);
    const [, h, w] = xc.shape;
    try {
      assertSampleCount(count, 'LAR-SR sample', { width: w, height: h });
    } catch (e) {
      xc.dispose();
      throw e;
    }
    const m = larSizeMultiple(this.patchSize);
    const ph = Math.ceil(h / m) * m - h;
    const pw = Math.ceil(w / m) * m - w;
    const padded = ph || pw ? tf.tidy(() => padEdge(xc, ph, pw)) : xc;
    const s2 = this.patchSize ** 2;
    const perSample = (padded.shape[1] / 2 / this.patchSize) * (padded.shape[2] / 2 / this.patchSize) * this.lar.config.nEmbed;
    const batch = Math.max(1, Math.min(count, opts.batchSize ?? Math.floor(16_777_216 / perSample)));
    const results: LarSRImage[] = [];
    try {
      for (let j0 = 0; j0 < count; j0 += batch) {
        const bs = Math.min(batch, count - j0);
        const xb = bs === 1 ? padded : tf.tile(padded, [bs, 1, 1, 1]);
        try {
          const ids = await sampleIndices(this.lar, xb as tf.Tensor4D, {
            seed, firstSample: j0, temperature: opts.temperature, topK: opts.topK, greedy: opts.greedy, argmaxProb: opts.argmaxProb, signal: opts.signal,
            onStep: (i) => opts.onProgress?.({ stage: 'sample', done: j0 * s2 + (i + 1) * bs, total: count * s2 }),
          });
          const out = tf.tidy(() => {
            const sr = this.vqvae.decodeCode(xb as tf.Tensor4D, ids);
            return ph || pw ? tf.slice(sr, [0, 0, 0, 0], [-1, h, w, -1]) : sr;
          });
          ids.dispose();
          for (let b = 0; b < bs; b++) results.push(new LarSRImage(tf.tidy(() => tf.slice(out, [b, 0, 0, 0], [1, -1, -1, -1])), seed, j0 + b));
          out.dispose();
          opts.onProgress?.({ stage: 'decode', done: j0 + bs, total: count });
        } finally {
          if (xb !== padded) xb.dispose();
        }
      }
      return results;
    } catch (e) {
      results.forEach((r) => r.dispose());
      throw e;
    } finally {
      if (padded !== xc) padded.dispose();
      xc.dispose();
    }
  }

  /** Frees every weight. */
  dispose(): void {
    this.vqvae.dispose();
    this.lar.dispose();
    this.coarseModel?.dispose();
  }
}

/** Pads `[B,H,W,C]` at the bottom/right by mirroring including the edge (PyTorch-free, any size). */
function padEdge(x: tf.Tensor4D, ph: number, pw: number): tf.Tensor4D {
  let y = x;
  // 'symmetric' mirrorPad needs pad ≤ size; repeat for tiny images.
  while (ph > 0 || pw > 0) {
    const a = Math.min(ph, y.shape[1]);
    const b = Math.min(pw, y.shape[2]);
    y = tf.mirrorPad(y, [[0, 0], [0, a], [0, b], [0, 0]], 'symmetric');
    ph -= a;
    pw -= b;
  }
  return y;
}

/**
 * Loads LAR-SR. With `weights`, model sizes (codebook size, width, layers, patch size, LAR vs
 * LAR-attn) are read off the checkpoints' shapes; with `config` only, models get random weights.
 */
export async function createLarSR(opts: CreateLarSROptions = {}): Promise<LarSR> {
  if (opts.backend) await initBackend(opts.backend);
  const progress = (done: number) => opts.onProgress?.({ stage: 'load', done, total: 3 });
  throwIfAborted(opts.signal);
  if (!opts.weights) {
    const c = opts.config ?? {};
    const vq = new TexVQVAE(c.vqvae);
    const lar = new LocalAR({ nEmbed: vq.config.nEmbed, ...c.lar });
    return new LarSR(vq, lar, c.rrdb ? new RRDBNet({ scale: 4, ...c.rrdb }) : null);
  }
  const w = opts.weights;
  if (!w.vqvae || !w.lar) throw new InputError('createLarSR: weights.vqvae and weights.lar are required (weights.rrdb is optional)');
  const { vqvae: vqSd, coarse: embeddedCoarse } = splitCoarseKeys(await loadStateDict(w.vqvae, 'res_vqvae'));
  progress(1);
  throwIfAborted(opts.signal);
  const larSd = await loadStateDict(w.lar, 'Local_Ar');
  progress(2);
  throwIfAborted(opts.signal);
  const rrdbSd = w.rrdb ? await loadStateDict(w.rrdb, 'RRDB') : embeddedCoarse;
  const vq = new TexVQVAE(inferVqvaeConfig(vqSd));
  const lar = new LocalAR(inferLarConfig(larSd));
  let coarse: RRDBNet | null = null;
  try {
    vq.loadStateDict(vqSd);
    lar.loadStateDict(larSd);
    coarse = rrdbSd ? createCoarseModel(rrdbSd) : null;
    progress(3);
    return new LarSR(vq, lar, coarse);
  } catch (e) {
    vq.dispose();
    lar.dispose();
    coarse?.dispose();
    throw e;
  }
}
