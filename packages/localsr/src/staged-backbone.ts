/**
 * A fixed-scale SR backbone seen as a sequence of stages, so that CLSR can fuse context features
 * between stages (paper §3.1: "enhancing the current feature at each stage by fusing features from
 * the PIM and GCM"). The backbone modules are the @sr/core ones, unchanged, so official checkpoint
 * keys (`head.0.weight`, `body.3.rdb1.conv1.weight`, …) load into them directly.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { EDSR, InputError, RRDBNet, interpolate, type Module } from '@sr/core';

/** Backbones CLSR can wrap. `edsr` is the SRResNet/EDSR-style CNN, `rrdb` ESRGAN's RRDBNet. */
export type BackboneKind = 'edsr' | 'rrdb';

/** Size options of a backbone (defaults: EDSR-baseline 16×64, RRDBNet 23×64 with growth 32). */
export interface BackboneConfig {
  /** Feature channels c (EDSR `n_feats`, RRDBNet `num_feat`). */
  channels?: number;
  /** Number of body stages (EDSR residual blocks / RRDBs). */
  blocks?: number;
  /** RRDBNet growth channels (`num_grow_ch`); ignored for EDSR. */
  growth?: number;
}

/**
 * The staged view: `tail(post(stage_{n−1}(…stage_0(head(x))), head(x)))` is exactly the backbone's
 * own forward. Every method is tensor-in/tensor-out and leaks nothing.
 */
export interface StagedBackbone {
  readonly kind: BackboneKind;
  /** The wrapped @sr/core module (its parameter names are the official keys). */
  readonly module: Module;
  readonly channels: number;
  readonly numStages: number;
  /** Upscaling factor of the tail (CLSR uses ×4, the only scale the paper reports). */
  readonly scale: number;
  /** Receptive-field radius in LR pixels (from @sr/core). */
  readonly receptiveField: number;
  /** `[B, h, w, 3]` in [0, 1] → `[B, h, w, c]`. */
  head(x: tf.Tensor4D): tf.Tensor4D;
  /** Body stage `i` (a residual block / RRDB). */
  stage(i: number, z: tf.Tensor4D): tf.Tensor4D;
  /** Body-end conv plus the global skip from the head output. */
  post(z: tf.Tensor4D, h: tf.Tensor4D): tf.Tensor4D;
  /** Upsampler and reconstruction: LR features → `[B, s·h, s·w, 3]`. */
  tail(f: tf.Tensor4D): tf.Tensor4D;
}

/** Runs the whole backbone through its stages (reference for tests and the baselines). */
export function runBackbone(b: StagedBackbone, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const h = b.head(x);
    let z = h;
    for (let i = 0; i < b.numStages; i++) z = b.stage(i, z);
    return b.tail(b.post(z, h));
  });
}

/**
 * EDSR (LIIF/EDSR-PyTorch naming) at a fixed scale. The input is mapped to LIIF's (x − 0.5)/0.5 and
 * the output back with ·0.5 + 0.5 — LIIF's convention for this module (its `sub_mean`/`add_mean` are
 * commented out in the official forward, see @sr/core's EDSR), so pixel values are in [0, 1].
 */
class StagedEDSR implements StagedBackbone {
  readonly kind = 'edsr' as const;
  readonly module: EDSR;
  constructor(cfg: BackboneConfig, readonly scale: number) {
    this.module = new EDSR({ nFeats: cfg.channels ?? 64, nResblocks: cfg.blocks ?? 16, scale, noUpsampling: false });
  }
  get channels(): number {
    return this.module.nFeats;
  }
  get numStages(): number {
    return this.module.nResblocks;
  }
  get receptiveField(): number {
    return this.module.receptiveField + 2;
  }
  head(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.module.head.forward(tf.mul(tf.sub(x, 0.5), 2)) as tf.Tensor4D);
  }
  stage(i: number, z: tf.Tensor4D): tf.Tensor4D {
    return this.module.body.layers[i].forward(z) as tf.Tensor4D;
  }
  post(z: tf.Tensor4D, h: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(this.module.body.layers[this.numStages].forward(z), h) as tf.Tensor4D);
  }
  tail(f: tf.Tensor4D): tf.Tensor4D {
    const t = this.module.tail;
    if (!t) throw new InputError('EDSR was built without a tail');
    return tf.tidy(() => tf.add(tf.mul(t.forward(f), 0.5), 0.5) as tf.Tensor4D);
  }
}

/** BasicSR RRDBNet ×4 (ESRGAN); pixel values in [0, 1] as in BasicSR. */
class StagedRRDB implements StagedBackbone {
  readonly kind = 'rrdb' as const;
  readonly scale = 4;
  readonly module: RRDBNet;
  constructor(cfg: BackboneConfig) {
    this.module = new RRDBNet({ numFeat: cfg.channels ?? 64, numBlock: cfg.blocks ?? 23, numGrowCh: cfg.growth ?? 32, scale: 4 });
  }
  get channels(): number {
    return this.module.numFeat;
  }
  get numStages(): number {
    return this.module.numBlock;
  }
  get receptiveField(): number {
    return this.module.receptiveField + 2;
  }
  head(x: tf.Tensor4D): tf.Tensor4D {
    return this.module.convFirst.forward(x);
  }
  stage(i: number, z: tf.Tensor4D): tf.Tensor4D {
    return this.module.body.layers[i].forward(z) as tf.Tensor4D;
  }
  post(z: tf.Tensor4D, h: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(h, this.module.convBody.forward(z)) as tf.Tensor4D);
  }
  tail(f: tf.Tensor4D): tf.Tensor4D {
    const m = this.module;
    const [up1, up2, hr, last] = [m.convUp1, m.convUp2, m.convHr, m.convLast];
    if (!up1 || !up2 || !hr || !last) throw new InputError('RRDBNet was built without a tail');
    return tf.tidy(() => {
      let x = tf.leakyRelu(up1.forward(interpolate(f, { scaleFactor: 2, mode: 'nearest' })), 0.2);
      x = tf.leakyRelu(up2.forward(interpolate(x, { scaleFactor: 2, mode: 'nearest' })), 0.2);
      return last.forward(tf.leakyRelu(hr.forward(x), 0.2));
    });
  }
}

/** Creates a staged backbone. Only ×4 is supported for RRDB (BasicSR's tail is fixed at ×4). */
export function createStagedBackbone(kind: BackboneKind, cfg: BackboneConfig = {}, scale = 4): StagedBackbone {
  if (kind === 'edsr') return new StagedEDSR(cfg, scale);
  if (kind === 'rrdb') {
    if (scale !== 4) throw new InputError(`the rrdb backbone upscales ×4 only, got scale ${scale}`);
    return new StagedRRDB(cfg);
  }
  throw new InputError(`unknown backbone '${String(kind)}' (known: edsr, rrdb)`);
}
