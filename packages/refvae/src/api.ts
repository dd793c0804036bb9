import * as tf from '@tensorflow/tfjs-core';
import { InputError, assertIntInRange, assertSampleCount, throwIfAborted } from '@sr/core';
import { Encoder4 } from './encoder.js';
import { LATENT_DIM, RefVAENet } from './cvae.js';
import { imageToRgbTensor, uint8ToTensor, type RefVAEImage } from './image-input.js';
import { REFERENCE_SIZE, noiseReference, referenceTensor, type ReferenceSpec } from './reference.js';
import { RefVAEResult, type SampleSource } from './result.js';
import { seededRng } from './rng.js';
import { loadEncoderWeights, loadVaeWeights, readWeights, type RefVAEWeights } from './weights.js';

/** Progress of a long call: `stage` names the step, `done`/`total` count its units. */
export interface RefVAEProgress {
  stage: 'load' | 'encode-lr' | 'sample';
  done: number;
  total: number;
}

/** Options of {@link createRefVAE}. */
export interface CreateRefVAEOptions {
  /** `vgg_r41.pth` and `ConVAE_{8,4}x.pth`, as files/URLs/bytes or state dicts. */
  weights: RefVAEWeights;
  /** 8 (`VAE_v3_8x`, the paper's setting; default) or 4 (`VAE_v3_4x`). Must match the VAE weights. */
  scale?: 4 | 8;
  /** Called with stage `'load'`: `done` 0 before reading, 1 when the VGG encoder is loaded, 2 when the CVAE is. */
  onProgress?: (p: RefVAEProgress) => void;
  /** Checked once both files are read, before the models are built: aborts with an `AbortError`. */
  signal?: AbortSignal;
}

/** Options of {@link RefVAE.upscale}. */
export interface UpscaleOptions {
  /** Where z comes from (default `'noise'`, eval_8x.py's random mode). See {@link ReferenceSpec}. */
  reference?: ReferenceSpec;
  /** Latent codes to decode directly (`[count, 256]` or `[256]`), skipping the reference: overrides `reference`. */
  z?: tf.Tensor | Float32Array | number[];
  /** Number of samples (default 1; with `z`, the number of rows of z). */
  count?: number;
  /** Seed of the noise references and of ε / prior z (default 0). Same inputs + seed → same outputs. */
  seed?: number;
  /**
   * Side of the square reference fed to the VGG encoder. Default 256 as the official code; smaller
   * values are faster but are not what the model was trained with.
   */
  referenceSize?: number;
  /** Called with stage `'encode-lr'` around the LR feature pass, then `'sample'` after each sample (`done` of `count`). */
  onProgress?: (p: RefVAEProgress) => void;
  /** Aborts before the next sample with an `AbortError`; samples made so far are disposed. */
  signal?: AbortSignal;
}

/** Turns user z into a `[n, 256]` float32 tensor. */
function latentTensor(z: NonNullable<UpscaleOptions['z']>): tf.Tensor2D {
  const t = z instanceof tf.Tensor ? tf.cast(z, 'float32') : tf.tensor(z instanceof Float32Array ? z : Float32Array.from(z));
  const n = t.size / LATENT_DIM;
  if (!Number.isInteger(n) || n < 1 || t.shape[t.rank - 1] !== LATENT_DIM) {
    t.dispose();
    throw new InputError(`z must have shape [${LATENT_DIM}] or [count, ${LATENT_DIM}], got [${z instanceof tf.Tensor ? z.shape : t.shape}]`, 'E_SHAPE');
  }
  const out = tf.reshape(t, [n, LATENT_DIM]) as tf.Tensor2D;
  t.dispose();
  return out;
}

/**
 * RefVAE inference (paper §3, official eval_8x.py / eval_4x.py / test.py). The LR is upsampled by
 * bicubic ×s and encoded once; each sample gets its own z — from a reference image's posterior
 * (z = μ + σ·ε), a fresh noise reference, the LR itself, N(0, I) directly, or a user-given z — and
 * is decoded to one SR image.
 */
export class RefVAE {
  constructor(
    /** The frozen VGG encoder (relu4_1). */
    readonly encoder: Encoder4,
    /** The CVAE + image decoder. */
    readonly net: RefVAENet,
  ) {}

  /** Upscaling factor (4 or 8). */
  get scale(): 4 | 8 {
    return this.net.scale;
  }

  /** Checks the LR size: the VGG's relu4_1 map of bicubic ×s(LR) must be ≥ 2 px and map back to s×LR. */
  private checkLR(lr: tf.Tensor4D): void {
    const [, h, w] = lr.shape;
    const step = 8 / this.scale;
    if (h % step || w % step) throw new InputError(`RefVAE ×${this.scale}: LR sides must be multiples of ${step}, got ${h}×${w} (crop the image)`, 'E_SIZE');
    if (h < 2 * step || w < 2 * step) throw new InputError(`RefVAE ×${this.scale}: LR must be at least ${2 * step}×${2 * step}, got ${h}×${w}`, 'E_SIZE');
  }

  /**
   * Super-resolves `image` `count` times. Returns one {@link RefVAEResult} per sample (dispose each).
   * Deterministic for a given image, reference, seed and backend.
   */
  async upscale(image: RefVAEImage, opts: UpscaleOptions = {}): Promise<RefVAEResult[]> {
    this.net.assertNotDisposed('this RefVAE model');
    const { signal, onProgress } = opts;
    const seed = opts.seed ?? 0;
    const refSize = opts.referenceSize ?? REFERENCE_SIZE;
    // Upper bound: the reference is resized to refSize² and run through VGG; 4096² is far past the 256 the paper uses.
    assertIntInRange('referenceSize', refSize, 16, 4096);
    const zUser = opts.z !== undefined ? latentTensor(opts.z) : null;
    const count = zUser ? zUser.shape[0] : (opts.count ?? 1);
    try {
      assertSampleCount(count, 'RefVAE upscale');
    } catch (e) {
      zUser?.dispose();
      throw e;
    }
    if (zUser && opts.count !== undefined && opts.count !== count) {
      zUser.dispose();
      throw new InputError(`count (${opts.count}) does not match the ${count} rows of z`);
    }
    const spec: ReferenceSpec = opts.reference ?? 'noise';
    const source: SampleSource = zUser ? 'z' : spec === 'noise' || spec === 'self' || spec === 'prior' ? spec : 'reference';
    const rng = seededRng(seed);
    const held: tf.Tensor[] = zUser ? [zUser] : [];
    const results: RefVAEResult[] = [];
    try {
      const lr = imageToRgbTensor(image, 'LR image');
      held.push(lr);
      this.checkLR(lr);
      assertSampleCount(count, 'RefVAE upscale', { width: lr.shape[2] * this.scale, height: lr.shape[1] * this.scale });
      throwIfAborted(signal);
      onProgress?.({ stage: 'encode-lr', done: 0, total: 1 });
      const lrFeat = tf.tidy(() => this.encoder.forward(this.net.upsampleLR(lr), ['r41']).r41!);
      held.push(lrFeat);
      const stats = this.net.lrStats(lrFeat);
      held.push(stats.fMu, stats.fSigma);
      onProgress?.({ stage: 'encode-lr', done: 1, total: 1 });
      // A fixed reference has one posterior: encode it once, then draw ε per sample.
      let posterior: { mu: tf.Tensor2D; logvar: tf.Tensor2D } | null = null;
      if (!zUser && source !== 'noise' && source !== 'prior') {
        const ref = await referenceTensor(spec as RefVAEImage | 'self', spec === 'self' ? lr : image, refSize);
        held.push(ref);
        posterior = tf.tidy(() => this.net.encode(this.encoder.forward(ref, ['r41']).r41!));
        held.push(posterior.mu, posterior.logvar);
      }
      for (let i = 0; i < count; i++) {
        throwIfAborted(signal);
        const sr = tf.tidy(() => {
          let z: tf.Tensor2D;
          if (zUser) z = tf.slice(zUser, [i, 0], [1, LATENT_DIM]);
          else if (source === 'prior') z = tf.tensor2d(rng.normals(LATENT_DIM), [1, LATENT_DIM]);
          else {
            const post =
              posterior ??
              this.net.encode(this.encoder.forward(uint8ToTensor(noiseReference(rng, refSize)), ['r41']).r41!);
            z = this.net.reparameterize(post.mu, post.logvar, tf.tensor2d(rng.normals(LATENT_DIM), [1, LATENT_DIM]));
          }
          return this.net.decode(lr, lrFeat, z, stats);
        });
        results.push(new RefVAEResult(sr, source, i));
        onProgress?.({ stage: 'sample', done: i + 1, total: count });
        await tf.nextFrame();
      }
      return results;
    } catch (e) {
      for (const r of results) r.dispose();
      throw e;
    } finally {
      tf.dispose(held);
    }
  }

  /** Same as {@link RefVAE.upscale}: the `sample(image, {count, seed})` shape shared by the diverse samplers of @sr. */
  sample(image: RefVAEImage, opts: UpscaleOptions = {}): Promise<RefVAEResult[]> {
    return this.upscale(image, opts);
  }

  /** Releases the weights of both networks. */
  dispose(): void {
    this.encoder.dispose();
    this.net.dispose();
  }
}

/**
 * Builds RefVAE and loads its two official weight files: `vgg_r41.pth` (validated key by key and
 * shape by shape, with a message naming the file when missing or wrong) and `ConVAE_{8,4}x.pth`.
 */
export async function createRefVAE(opts: CreateRefVAEOptions): Promise<RefVAE> {
  if (!opts || !opts.weights) throw new InputError('createRefVAE: pass { weights: { encoder: vgg_r41.pth, vae: ConVAE_8x.pth } }', 'E_WEIGHTS');
  const scale = opts.scale ?? 8;
  if (scale !== 4 && scale !== 8) throw new InputError(`createRefVAE: scale must be 4 or 8, got ${scale as number}`);
  opts.onProgress?.({ stage: 'load', done: 0, total: 2 });
  const encSd = await readWeights(opts.weights.encoder, 'VGG encoder', 'vgg_r41.pth');
  const vaeSd = await readWeights(opts.weights.vae, 'CVAE', `ConVAE_${scale}x.pth`);
  throwIfAborted(opts.signal);
  const encoder = new Encoder4();
  const net = new RefVAENet(scale);
  try {
    loadEncoderWeights(encoder, encSd);
    opts.onProgress?.({ stage: 'load', done: 1, total: 2 });
    loadVaeWeights(net, vaeSd);
    opts.onProgress?.({ stage: 'load', done: 2, total: 2 });
  } catch (e) {
    encoder.dispose();
    net.dispose();
    throw e;
  }
  return new RefVAE(encoder.eval(), net.eval());
}
