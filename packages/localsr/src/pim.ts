/**
 * Proximity integration branch (paper §3.3, Fig. 5): a slim copy of the backbone (c' ≈ c/10 channels)
 * runs on the whole context; after every body stage its features are cropped to the base branch's
 * window and added to the first c' base channels (Eq. 6, F = sum over the first c' channels). Its own
 * tail gives Ŷ_P, the HR context supervised by the auxiliary loss (Eq. 7).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, Module } from '@sr/core';
import { createStagedBackbone, type BackboneConfig, type BackboneKind, type StagedBackbone } from './staged-backbone.js';
import type { PaddedWindow } from './roi.js';

/** PIM options (README §Design explains each default). */
export interface PimOptions {
  /** c' (default max(`minChannels`, round(c/10)): 64 → 6, the paper's c/10 rounded). */
  channels?: number;
  /** Lower bound of the default c' (default 4) so tiny test backbones keep a usable branch. */
  minChannels?: number;
  /** RRDB growth channels of the slim copy (default max(2, round(growth/10)): 32 → 3). */
  growth?: number;
  /**
   * Learnable per-stage gate on crop(p) before the sum, initial value (default 0, so a pretrained
   * backbone is unchanged at initialisation, as the GCM's zero convs intend); `null` = the paper's
   * plain sum with no gate.
   */
  gateInit?: number | null;
}

/** c' for a base width c. */
export function pimChannels(c: number, opts: PimOptions = {}): number {
  const cp = opts.channels ?? Math.max(opts.minChannels ?? 4, Math.round(c / 10));
  if (!(Number.isInteger(cp) && cp >= 1 && cp <= c)) throw new InputError(`PIM channels must be an integer in [1, ${c}], got ${cp}`);
  return cp;
}

/** The PIM branch and its fusion into the base branch. */
export class ProximityIntegration extends Module {
  /** The slim backbone copy (registered as `net`). */
  readonly branch: StagedBackbone;
  /** One learnable gate per stage, or null (plain sum). */
  readonly gate: tf.Variable | null;

  constructor(kind: BackboneKind, base: { channels: number; numStages: number; growth?: number; scale: number }, opts: PimOptions = {}) {
    super();
    const channels = pimChannels(base.channels, opts);
    const cfg: BackboneConfig = { channels, blocks: base.numStages, growth: opts.growth ?? Math.max(2, Math.round((base.growth ?? 32) / 10)) };
    this.branch = createStagedBackbone(kind, cfg, base.scale);
    this.child('net', this.branch.module);
    const g = opts.gateInit === undefined ? 0 : opts.gateInit;
    this.gate = g === null ? null : this.param('gate', [base.numStages], (s) => tf.fill(s, g));
  }

  /** c', the slim branch's width: how many leading base channels each stage's features are added to (Eq. 6). */
  get channels(): number {
    return this.branch.channels;
  }

  /** z̃ = z + [gate_k·crop(p), 0] — crop(p) added to the first c' channels of z (Eq. 6). */
  fuse(z: tf.Tensor4D, p: tf.Tensor4D, win: PaddedWindow, k: number): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w, c] = z.shape;
      const cp = this.channels;
      let crop: tf.Tensor = tf.slice(p, [0, win.y0, win.x0, 0], [1, h, w, cp]);
      if (this.gate) crop = tf.mul(crop, tf.slice(this.gate, [k], [1]));
      return tf.add(z, tf.pad(crop, [[0, 0], [0, 0], [0, 0], [0, c - cp]])) as tf.Tensor4D;
    });
  }
}
