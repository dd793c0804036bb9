/**
 * `createLocalSR`: the public entry point (factory + `prepare` once per image + `upscaleRegion` per ROI).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, readCheckpoint, throwIfAborted, yieldToEventLoop, type CheckpointSource, type StateDict } from '@sr/core';
import { CLSR, disposeContext, type ClsrOptions, type ContextCache } from './clsr.js';
import { postCrop, preCrop } from './baselines.js';
import { RegionImage } from './region-image.js';
import { toContextTensor, type LocalSRInput } from './input.js';
import { assertPrepareFits, assertRegionFits } from './memory-plan.js';
import type { BackboneKind } from './staged-backbone.js';
import { validateRoi, type Roi } from './roi.js';
import { loadDefaultWeights } from './default-weights.js';

/** Options of {@link createLocalSR}: the model options plus weights and progress. */
export interface LocalSROptions extends Omit<ClsrOptions, 'backbone'> {
  /** `'edsr'` (default, the SRResNet/EDSR-style CNN) or `'rrdb'`. */
  backbone?: BackboneKind;
  /**
   * A CLSR checkpoint (keys `base.*`, `gcm.*`, `pim.*`, as saved by training) or a plain backbone
   * checkpoint (official keys, loaded into the base branch; GCM/PIM keep their initialisation, which
   * leaves the backbone's output unchanged). A path, URL, bytes or an already-read state dict.
   * `'default'`: the built-in weights (Node; see MODEL_CARD.md), built with their stored configuration
   * (backbone, sizes and padding; an explicit `padding` still overrides it).
   */
  weights?: CheckpointSource | StateDict | 'default';
  /** Switch the context branches off at run time (the model then equals pre-cropping). */
  useGcm?: boolean;
  /** See `useGcm`: `false` switches the PIM branch off at run time. */
  usePim?: boolean;
  /**
   * Called by `prepare` (stage `'prepare'`, `done` 0 then 1 around the context pass) and by
   * `upscaleRegions` after each ROI (stage `'region'`, `done` of the number of ROIs).
   */
  onProgress?: (p: { stage: 'prepare' | 'region'; done: number; total: number }) => void;
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const isStateDict = (w: unknown): w is StateDict =>
  !!w && typeof w === 'object' && !(w instanceof Uint8Array) && !(w instanceof ArrayBuffer) && !(w instanceof URL) && !(typeof Blob !== 'undefined' && w instanceof Blob);

/** Loads `weights` into `model` (CLSR keys, or backbone keys into `base`). */
export async function loadLocalSRWeights(model: CLSR, weights: CheckpointSource | StateDict): Promise<void> {
  const sd = isStateDict(weights) ? weights : await readCheckpoint(weights);
  const keys = Object.keys(sd);
  if (keys.some((k) => k.startsWith('base.'))) model.loadStateDict(sd);
  else model.base.module.loadStateDict(sd, { ignore: (k) => k.startsWith('sub_mean.') || k.startsWith('add_mean.') });
}

/** Wraps `[1, H, W, 3]` as a {@link RegionImage} (takes ownership of `y`). */
function toRegion(y: tf.Tensor4D, roi: Roi): RegionImage {
  const t = tf.squeeze(y, [0]) as tf.Tensor3D;
  y.dispose();
  return new RegionImage(t, roi);
}

/** A LocalSR model bound to (at most) one prepared image at a time. */
export class LocalSR {
  private cache: ContextCache | null = null;
  constructor(readonly model: CLSR, private readonly onProgress?: LocalSROptions['onProgress']) {}

  /** Size `[H, W]` of the prepared image, or null. */
  get imageSize(): [number, number] | null {
    return this.cache ? [this.cache.height, this.cache.width] : null;
  }

  /**
   * Computes the context features (PIM stages, GCM memory) of `image` once; replaces a previous image.
   * The memory this needs (the PIM features of every stage at full resolution) is checked against the
   * backend first: an image too large fails with `E_MEMORY` and the numbers, before any work.
   */
  async prepare(image: LocalSRInput, opts: { signal?: AbortSignal } = {}): Promise<void> {
    this.model.assertNotDisposed('this LocalSR');
    throwIfAborted(opts.signal);
    const x = await toContextTensor(image);
    try {
      assertPrepareFits(this.model, x.shape[1], x.shape[2]);
      this.onProgress?.({ stage: 'prepare', done: 0, total: 1 });
      const cache = this.model.prepare(x);
      if (this.cache) disposeContext(this.cache);
      this.cache = cache;
      this.onProgress?.({ stage: 'prepare', done: 1, total: 1 });
    } finally {
      x.dispose();
    }
  }

  private prepared(): ContextCache {
    this.model.assertNotDisposed('this LocalSR');
    if (!this.cache) throw new InputError('call prepare(image) before upscaleRegion', 'E_NOT_PREPARED');
    return this.cache;
  }

  /** The ×s HR version of `roi` (LR pixels) of the prepared image; cost O(hw) per call. */
  async upscaleRegion(roi: Roi, opts: { signal?: AbortSignal } = {}): Promise<RegionImage> {
    throwIfAborted(opts.signal);
    const cache = this.prepared();
    validateRoi(roi, cache.height, cache.width);
    assertRegionFits(this.model, roi, cache.height, cache.width);
    const y = this.model.forwardRegion(cache, roi);
    return toRegion(y, roi);
  }

  /** Many ROIs of the prepared image (the context is reused: n·O(hw) + O(HW)). */
  async upscaleRegions(rois: Roi[], opts: { signal?: AbortSignal } = {}): Promise<RegionImage[]> {
    const out: RegionImage[] = [];
    try {
      for (let i = 0; i < rois.length; i++) {
        if (i > 0) await yieldToEventLoop(); // lets a timer-fired abort in between regions
        out.push(await this.upscaleRegion(rois[i], opts));
        this.onProgress?.({ stage: 'region', done: i + 1, total: rois.length });
      }
      return out;
    } catch (e) {
      out.forEach((r) => r.dispose());
      throw e;
    }
  }

  /** Baseline: the backbone alone on the padded ROI (same padding as CLSR). */
  async preCrop(roi: Roi): Promise<RegionImage> {
    const y = preCrop(this.model.base, this.prepared().context, roi, this.model.padding);
    return toRegion(y, roi);
  }

  /** Baseline: the backbone on the whole image (tiled when `tile` is set), then cropped. */
  async postCrop(roi: Roi, opts: { tile?: number } = {}): Promise<RegionImage> {
    const y = await postCrop(this.model.base, this.prepared().context, roi, opts);
    return toRegion(y, roi);
  }

  /** Releases the prepared context (the model stays usable). */
  release(): void {
    this.model.assertNotDisposed('this LocalSR');
    if (this.cache) disposeContext(this.cache);
    this.cache = null;
  }

  /** Releases the context and the model's weights; later calls (except `dispose`) throw `E_DISPOSED`. */
  dispose(): void {
    if (this.model.isDisposed) return;
    this.release();
    this.model.dispose();
  }
}

/**
 * Creates a LocalSR (CLSR) model. Resolves when the weights are loaded.
 * @example
 * const local = await createLocalSR({ backbone: 'edsr', weights: 'clsr-edsr.safetensors' });
 * await local.prepare('photo.png');
 * const face = await local.upscaleRegion({ x: 120, y: 40, width: 48, height: 48 });
 * await fs.promises.writeFile('face.png', await face.toPNG());
 */
export async function createLocalSR(opts: LocalSROptions = {}): Promise<LocalSR> {
  const { weights, useGcm, usePim, onProgress, backbone = 'edsr', ...rest } = opts;
  if (weights === 'default') {
    const def = await loadDefaultWeights();
    return createLocalSR({ ...def.config, ...definedOnly(rest), backbone: def.config.backbone, backboneConfig: def.config.backboneConfig, weights: def.stateDict, useGcm, usePim, onProgress });
  }
  const model = new CLSR({ ...rest, backbone });
  try {
    if (weights) await loadLocalSRWeights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (useGcm === false) model.useGcm = false;
  if (usePim === false) model.usePim = false;
  return new LocalSR(model, onProgress);
}
