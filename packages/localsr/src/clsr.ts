/**
 * CLSR, context-based local super-resolution (Ji & Yao, "LocalSR: Image Super-Resolution in Local
 * Region", arXiv 2412.04314, §3, Fig. 3): a base branch (the backbone) on the padded ROI, a global
 * context module fused once, and a proximity integration branch fused after every stage.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, Module } from '@sr/core';
import { createStagedBackbone, type BackboneConfig, type BackboneKind, type StagedBackbone } from './staged-backbone.js';
import { GlobalContextModule, disposeMemory, extractPatches, type GcmMemory, type GcmOptions } from './gcm.js';
import { ProximityIntegration, type PimOptions } from './pim.js';
import { selectPatches, type Uniform } from './patch-sampling.js';
import { paddedWindow, validateRoi, type PaddedWindow, type Roi } from './roi.js';

/** Options of {@link CLSR}; README §Design gives the reason for every default. */
export interface ClsrOptions {
  backbone: BackboneKind;
  backboneConfig?: BackboneConfig;
  /** Upscaling factor (default 4, the only scale the paper reports). */
  scale?: number;
  /** Context pixels added around the ROI for the base branch (default 8; Table 5 saturates at 8–12). */
  padding?: number;
  /** GCM patch size r (default 6, paper §4.1). */
  patchSize?: number;
  /** N, the number of sampled GCM patches (default 256, see README). */
  numPatches?: number;
  /** Depth k of 𝒢 = head + first k base stages (shared weights); the GCM fuses after base stage k (default 2). */
  gcmStages?: number;
  /** GCM options, or false to build no GCM. */
  gcm?: GcmOptions | false;
  /** PIM options, or false to build no PIM branch. */
  pim?: PimOptions | false;
}

/** Per-image context computed once by {@link CLSR.prepare} and reused for every ROI. */
export interface ContextCache {
  context: tf.Tensor4D;
  height: number;
  width: number;
  /** PIM features after every stage, whole image (empty without PIM). */
  pimFeatures: tf.Tensor4D[];
  memory: GcmMemory | null;
}

/** Releases a {@link ContextCache}. */
export function disposeContext(c: ContextCache): void {
  tf.dispose([c.context, ...c.pimFeatures]);
  if (c.memory) disposeMemory(c.memory);
}

/** Output of the direct (training) forward. */
export interface ClsrOutput {
  /** ŷ `[1, s·h, s·w, 3]`. */
  roi: tf.Tensor4D;
  /** Ŷ_P `[1, s·H, s·W, 3]` from the PIM branch (null without PIM or when not requested). */
  context: tf.Tensor4D | null;
}

/** The CLSR network. Parameter names: `base.*` (official backbone keys), `gcm.*`, `pim.net.*`, `pim.gate`. */
export class CLSR extends Module {
  readonly base: StagedBackbone;
  readonly gcm: GlobalContextModule | null;
  readonly pim: ProximityIntegration | null;
  readonly scale: number;
  readonly padding: number;
  readonly patchSize: number;
  readonly numPatches: number;
  readonly gcmStages: number;
  /** Runtime switches: with both false the model is exactly the backbone on the padded ROI. */
  useGcm: boolean;
  usePim: boolean;

  constructor(opts: ClsrOptions) {
    super();
    this.scale = opts.scale ?? 4;
    this.padding = opts.padding ?? 8;
    this.patchSize = opts.patchSize ?? 6;
    this.numPatches = opts.numPatches ?? 256;
    this.base = createStagedBackbone(opts.backbone, opts.backboneConfig, this.scale);
    this.child('base', this.base.module);
    this.gcmStages = Math.min(Math.max(1, opts.gcmStages ?? 2), this.base.numStages);
    this.gcm = opts.gcm === false ? null : this.child('gcm', new GlobalContextModule(this.base.channels, opts.gcm ?? {}));
    const b = { channels: this.base.channels, numStages: this.base.numStages, growth: opts.backboneConfig?.growth, scale: this.scale };
    this.pim = opts.pim === false ? null : this.child('pim', new ProximityIntegration(opts.backbone, b, opts.pim ?? {}));
    this.useGcm = this.gcm !== null;
    this.usePim = this.pim !== null;
  }

  /** 𝒢: base head + first `gcmStages` stages on each r×r patch independently (zero padding per patch). */
  private patchFeatures(context: tf.Tensor4D, rng?: Uniform): { m: tf.Tensor4D; sel: ReturnType<typeof selectPatches> } {
    const [, H, W] = context.shape;
    const sel = selectPatches(H, W, this.patchSize, this.numPatches, rng);
    const m = tf.tidy(() => {
      let f = this.base.head(extractPatches(context, sel, this.patchSize));
      for (let i = 0; i < this.gcmStages; i++) f = this.base.stage(i, f);
      return f;
    });
    return { m, sel };
  }

  private gcmMemory(context: tf.Tensor4D, rng?: Uniform): GcmMemory | null {
    if (!this.gcm || !this.useGcm) return null;
    const gcm = this.gcm;
    const { m, sel } = this.patchFeatures(context, rng);
    try {
      return gcm.buildMemory(m, sel, context.shape[1], context.shape[2]);
    } finally {
      m.dispose();
    }
  }

  private checkContext(context: tf.Tensor4D): void {
    if (context.rank !== 4 || context.shape[0] !== 1 || context.shape[3] !== 3)
      throw new InputError(`CLSR expects one RGB context image [1, H, W, 3], got [${context.shape}]`);
  }

  /** Base branch with fusions; `pimAt(k)` gives the PIM features after stage k (whole image). */
  private runBase(context: tf.Tensor4D, win: PaddedWindow, roi: Roi, mem: GcmMemory | null, pimAt: ((k: number) => tf.Tensor4D) | null): tf.Tensor4D {
    return tf.tidy(() => {
      const x = tf.slice(context, [0, win.y0, win.x0, 0], [1, win.height, win.width, 3]);
      const h = this.base.head(x);
      let z = h;
      for (let k = 0; k < this.base.numStages; k++) {
        z = this.base.stage(k, z);
        if (pimAt && this.pim) z = this.pim.fuse(z, pimAt(k), win, k);
        if (mem && this.gcm && k === this.gcmStages - 1) z = this.gcm.forward(z, win.y0, win.x0, mem);
      }
      const out = this.base.tail(this.base.post(z, h));
      const s = this.scale;
      return tf.slice(out, [0, win.top * s, win.left * s, 0], [1, roi.height * s, roi.width * s, 3]) as tf.Tensor4D;
    });
  }

  /**
   * Direct forward (training and reference): the PIM branch runs in lockstep with the base branch on
   * the whole `context`, the GCM memory is built from patches of it. `rng` jitters the GCM patch
   * lattice (training); without it sampling is deterministic. `withContextOutput` adds Ŷ_P.
   */
  forward(context: tf.Tensor4D, roi: Roi, opts: { rng?: Uniform; withContextOutput?: boolean } = {}): ClsrOutput {
    this.checkContext(context);
    const [, H, W] = context.shape;
    validateRoi(roi, H, W);
    const win = paddedWindow(roi, H, W, this.padding);
    const mem = this.gcmMemory(context, opts.rng);
    const pim = this.pim && this.usePim ? this.pim : null;
    try {
      const outs = tf.tidy(() => {
        const feats: tf.Tensor4D[] = [];
        let ph: tf.Tensor4D | null = null;
        if (pim) {
          ph = pim.branch.head(context);
          let p = ph;
          for (let k = 0; k < pim.branch.numStages; k++) feats.push((p = pim.branch.stage(k, p)));
        }
        const y = this.runBase(context, win, roi, mem, pim ? (k) => feats[k] : null);
        const ctx = pim && ph && opts.withContextOutput ? pim.branch.tail(pim.branch.post(feats[feats.length - 1], ph)) : null;
        return ctx ? [y, ctx] : [y];
      });
      return { roi: outs[0] as tf.Tensor4D, context: (outs[1] as tf.Tensor4D | undefined) ?? null };
    } finally {
      if (mem) disposeMemory(mem);
    }
  }

  /** Computes the context features once (PIM stage features of the whole image, GCM key/value memory). */
  prepare(context: tf.Tensor4D): ContextCache {
    this.checkContext(context);
    const [, H, W] = context.shape;
    const memory = this.gcmMemory(context);
    const pimFeatures: tf.Tensor4D[] = [];
    const pim = this.pim && this.usePim ? this.pim : null;
    if (pim) {
      const h0 = pim.branch.head(context);
      let p = h0;
      for (let k = 0; k < pim.branch.numStages; k++) pimFeatures.push((p = pim.branch.stage(k, p)));
      h0.dispose();
    }
    return { context: tf.clone(context), height: H, width: W, pimFeatures, memory };
  }

  /** SR of one ROI from a prepared context: cost O(hw) per ROI (paper §3.4). */
  forwardRegion(cache: ContextCache, roi: Roi): tf.Tensor4D {
    validateRoi(roi, cache.height, cache.width);
    if (this.pim && this.usePim && cache.pimFeatures.length !== this.base.numStages)
      throw new InputError('this context was prepared with the PIM switched off; call prepare again');
    const win = paddedWindow(roi, cache.height, cache.width, this.padding);
    if (this.gcm && this.useGcm && !cache.memory) throw new InputError('this context was prepared with the GCM switched off; call prepare again');
    const mem = this.useGcm ? cache.memory : null;
    return this.runBase(cache.context, win, roi, mem, this.pim && this.usePim ? (k) => cache.pimFeatures[k] : null);
  }
}
