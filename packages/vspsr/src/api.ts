/**
 * The public entry point: `const v = await createVSpSR({ weights, scale })`, then
 * `await v.sample(image, { count, seed, cem })` → diverse SR images (one forward pass each; the
 * ε-independent branches run once per call).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  InputError,
  assertSampleCount,
  readCheckpoint,
  throwIfAborted,
  type CheckpointSource,
  type StateDict,
} from '@sr/core';
import { VSPSR, inferVSpMConfig } from './vspsr.js';
import { disposeRecord, type VSpMConfig, type VSpMEncoding } from './vspm.js';
import { MatlabCem, type MatlabCemOptions } from './cem/cem-matlab.js';
import { OpenCvCem } from './cem/cem-opencv.js';
import { createNormalRng } from './rng.js';
import { SrImage } from './result.js';
import { toRgbTensor, type VSpSRInput } from './input.js';

/** Progress events of {@link createVSpSR} and {@link VSpSR.sample}. */
import { loadDefaultWeights } from './default-weights.js';

export interface VSpSRProgress {
  stage: 'load' | 'encode' | 'sample' | 'cem';
  done: number;
  total: number;
}

/** Options of {@link createVSpSR}. */
export interface CreateVSpSROptions {
  /**
   * Official weights: a `.pth` path/URL/bytes (bare state dict or `{model: …}`) or a state dict; or
   * `'default'`: the built-in ×4 weights (Node; see MODEL_CARD.md), with their stored configuration.
   */
  weights: CheckpointSource | StateDict | 'default';
  /** Expected scale; checked against the weights (×8 weights have an extra transposed conv). */
  scale?: 4 | 8;
  /** Overrides of what the weights cannot tell: interpolation `mode`, prior `alpha`/`beta`. */
  config?: Partial<Pick<VSpMConfig, 'mode' | 'alpha' | 'beta'>>;
  /** Called with stage `'load'` before reading the weights (`done` 0) and once the model is built (`done` 1). */
  onProgress?: (p: VSpSRProgress) => void;
  /** Aborts before loading with an `AbortError`. */
  signal?: AbortSignal;
}

/**
 * Which consistency-enforcing module to apply: `'matlab'` (ours, exact under MATLAB bicubic
 * downscaling, the NTIRE LR-PSNR operator; `true` means this), `'opencv'` (the official VSpSR CEM with
 * OpenCV's cubic kernel), or `false` (raw generator output).
 */
export type CemChoice = boolean | 'matlab' | 'opencv';

/** Options of {@link VSpSR.sample}. */
export interface SampleOptions {
  /** Number of samples. Default 1. */
  count?: number;
  /** Seed of the coefficient noise ε; the same seed gives identical samples. Default 0. */
  seed?: number;
  /** Default `true` (= `'matlab'`); the official evaluation always applies its CEM. */
  cem?: CemChoice;
  /** Multiplies ε (1 = the model's posterior; 0 = the posterior mean). Default 1. */
  temperature?: number;
  /** Options of the MATLAB CEM (tolerance, iterations). */
  cemOptions?: MatlabCemOptions;
  /**
   * Called with stage `'encode'` before the posterior is computed, then per sample with `'sample'` once it is
   * decoded and `'cem'` once the CEM has been applied (`done` of `count`).
   */
  onProgress?: (p: VSpSRProgress) => void;
  /** Aborts before the next sample with an `AbortError`; samples made so far are disposed. */
  signal?: AbortSignal;
}

/** A loaded VSpSR model. */
export interface VSpSR {
  readonly scale: 4 | 8;
  /** The module tree (keys `vspm.*`), e.g. for training or export. */
  readonly model: VSPSR;
  /** Draws `count` SR samples of one LR image. */
  sample(image: VSpSRInput, opts?: SampleOptions): Promise<SrImage[]>;
  /** Releases the weights and cached CEM operators. */
  dispose(): void;
}

function isStateDict(w: unknown): w is StateDict {
  if (typeof w !== 'object' || w === null || w instanceof Uint8Array || w instanceof ArrayBuffer || w instanceof URL) return false;
  if (typeof Blob !== 'undefined' && w instanceof Blob) return false;
  const first = Object.values(w as object)[0] as { shape?: unknown } | undefined;
  return !!first && Array.isArray(first.shape);
}

/** Normalises official layouts to `vspm.*` keys: `{model: sd}` flattened to `model.*`, DataParallel `module.`, bare VSPM. */
function normaliseKeys(sd: StateDict): StateDict {
  const keys = Object.keys(sd);
  for (const prefix of ['model.', 'module.', 'model.module.']) {
    if (keys.some((k) => k.startsWith(`${prefix}vspm.`))) {
      const out: StateDict = {};
      for (const k of keys) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = sd[k];
      return out;
    }
  }
  // A bare VSPM state dict (no wrapper): add the `vspm.` prefix.
  if ('kernelbranch.0.weight' in sd) return Object.fromEntries(keys.map((k) => [`vspm.${k}`, sd[k]]));
  return sd;
}

/** Loads VSpSR weights and returns a ready sampler. */
export async function createVSpSR(opts: CreateVSpSROptions): Promise<VSpSR> {
  if (!opts || opts.weights === undefined) throw new InputError('createVSpSR: `weights` is required (official VSpSR .pth or a state dict)');
  if (opts.weights === 'default') {
    const def = await loadDefaultWeights();
    return createVSpSR({ ...opts, weights: def.stateDict, config: { mode: def.config.mode, alpha: def.config.alpha, beta: def.config.beta, ...opts.config } });
  }
  throwIfAborted(opts.signal);
  opts.onProgress?.({ stage: 'load', done: 0, total: 1 });
  let sd: StateDict;
  if (isStateDict(opts.weights)) sd = opts.weights;
  else {
    sd = await readCheckpoint(opts.weights as CheckpointSource);
    if (!Object.keys(sd).some((k) => k.includes('vspm.'))) {
      try {
        sd = await readCheckpoint(opts.weights as CheckpointSource, { key: 'model' });
      } catch (e) {
        throw new CheckpointError('createVSpSR: the checkpoint holds no `vspm.*` keys (neither at the top level nor under `model`)', 'E_CHECKPOINT', { cause: e });
      }
    }
  }
  sd = normaliseKeys(sd);
  throwIfAborted(opts.signal);
  const inferred = inferVSpMConfig(sd);
  if (opts.scale !== undefined && opts.scale !== inferred.scale)
    throw new InputError(`createVSpSR: scale ${opts.scale} requested but the weights are a ×${inferred.scale} model`);
  const model = new VSPSR({ ...inferred, ...opts.config });
  try {
    model.loadStateDict(sd);
  } catch (e) {
    model.dispose();
    throw e;
  }
  opts.onProgress?.({ stage: 'load', done: 1, total: 1 });
  return new VSpSRSampler(model);
}

/** Implementation of {@link VSpSR}. */
class VSpSRSampler implements VSpSR {
  readonly scale: 4 | 8;
  private matlab: MatlabCem | null = null;
  private opencv: OpenCvCem | null = null;
  private disposed = false;

  constructor(readonly model: VSPSR) {
    this.scale = model.vspm.config.scale;
  }

  async sample(image: VSpSRInput, opts: SampleOptions = {}): Promise<SrImage[]> {
    if (this.disposed) throw new InputError('VSpSR: sample() after dispose()');
    const count = opts.count ?? 1;
    const seed = opts.seed ?? 0;
    const temperature = opts.temperature ?? 1;
    const cem = opts.cem === undefined || opts.cem === true ? 'matlab' : opts.cem;
    assertSampleCount(count, 'VSpSR sample');
    if (!Number.isFinite(seed)) throw new InputError(`sample: seed must be a finite number, got ${seed}`);
    if (!(temperature >= 0 && Number.isFinite(temperature))) throw new InputError(`sample: temperature must be ≥ 0, got ${temperature}`);
    if (cem !== false && cem !== 'matlab' && cem !== 'opencv') throw new InputError(`sample: cem must be true, false, 'matlab' or 'opencv', got ${String(cem)}`);
    throwIfAborted(opts.signal);
    const lr = toRgbTensor(image);
    try {
      assertSampleCount(count, 'VSpSR sample', { width: lr.shape[2] * this.scale, height: lr.shape[1] * this.scale });
    } catch (e) {
      lr.dispose();
      throw e;
    }
    const results: SrImage[] = [];
    let enc: VSpMEncoding;
    try {
      const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(lr))));
      const flag = (await bad.data())[0];
      bad.dispose();
      if (flag) throw new InputError('sample: the image contains NaN or infinite values', 'E_NAN');
      opts.onProgress?.({ stage: 'encode', done: 0, total: 1 });
      enc = this.model.vspm.encode(lr);
    } catch (e) {
      lr.dispose();
      throw e;
    }
    try {
      const rng = createNormalRng(seed);
      const epsShape = enc.muW.shape;
      const n = epsShape.reduce((a, b) => a * b, 1);
      for (let i = 0; i < count; i++) {
        throwIfAborted(opts.signal);
        // Noise is drawn in JS from the seed, in sample order: sample i is the same whatever the count.
        const noise = rng.normals(n);
        if (temperature !== 1) for (let k = 0; k < n; k++) noise[k] *= temperature;
        // A stochastic basis (variational_z, off in the released model) gets its own ε, drawn after w's.
        const noiseZ = enc.muZ ? rng.normals(enc.muZ.size) : null;
        if (noiseZ && temperature !== 1) for (let k = 0; k < noiseZ.length; k++) noiseZ[k] *= temperature;
        const pred = tf.tidy(() => {
          const eps = tf.tensor4d(noise, epsShape);
          const epsZ = noiseZ && enc.muZ ? tf.tensor4d(noiseZ, enc.muZ.shape) : undefined;
          const out = this.model.vspm.decode(enc, { epsW: eps, epsZ });
          const p = out.pred;
          disposeRecord({ ...out, pred: null });
          return p;
        });
        opts.onProgress?.({ stage: 'sample', done: i + 1, total: count });
        let img: tf.Tensor4D;
        if (cem === 'matlab') {
          this.matlab ??= new MatlabCem(this.scale);
          try {
            img = await this.matlab.apply(pred, lr, opts.cemOptions);
          } finally {
            pred.dispose();
          }
        } else {
          let x = pred;
          if (cem === 'opencv') {
            this.opencv ??= new OpenCvCem(this.scale);
            x = this.opencv.apply(pred, lr);
            pred.dispose();
          }
          img = tf.clipByValue(x, 0, 1) as tf.Tensor4D;
          x.dispose();
        }
        if (cem) opts.onProgress?.({ stage: 'cem', done: i + 1, total: count });
        results.push(new SrImage(img, i));
        // Yield to the event loop between samples (keeps UIs responsive, lets abort signals land).
        await new Promise((r) => setTimeout(r, 0));
      }
      return results;
    } catch (e) {
      for (const r of results) r.dispose();
      throw e;
    } finally {
      disposeRecord(enc);
      lr.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
    this.matlab?.dispose();
    this.opencv?.dispose();
  }
}
