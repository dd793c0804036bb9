import * as tf from '@tensorflow/tfjs-core';
import { InputError, Module, type Backbone, type LoadStateDictOptions, type StateDict, type StateDictReport } from '@sr/core';
import { CiaoSRHead, disposeMaps, type CiaoSRHeadOptions } from './head.js';
import type { QueryArrays } from './geometry.js';
import { remapMmeditRdnKeys } from './backbones.js';

/** DIV2K RGB mean the CiaoSR restorer subtracts (std 1): `lq = raw − mean`, output `clamp(pred + mean, 0, 1)`. */
export const DIV2K_MEAN: readonly [number, number, number] = [0.4488, 0.4371, 0.404];

/**
 * The CiaoSR generator: a {@link Backbone} producing LR features plus a {@link CiaoSRHead}. Its state
 * dict has the official generator keys: the backbone's own children at the root (`conv_first.*`,
 * `body.*`, `conv_after_body.*` for mmedit EDSR) next to `imnet_{q,k,v}.*` and `cs_attn.*`.
 * A backbone that is a plain function contributes no parameters.
 */
export class CiaoSR extends Module {
  readonly head: CiaoSRHead;
  /** RGB mean subtracted before the backbone and added back to the output. */
  readonly mean: readonly [number, number, number];

  constructor(
    readonly backbone: Backbone,
    head: CiaoSRHead | CiaoSRHeadOptions = {},
    opts: { mean?: readonly [number, number, number] } = {},
  ) {
    super();
    this.head = head instanceof CiaoSRHead ? head : new CiaoSRHead({ channels: backbone.channels, ...head });
    if (backbone.channels !== this.head.channels)
      throw new InputError(
        `backbone has ${backbone.channels} feature channels but the CiaoSR head expects ${this.head.channels}; ` +
          `create the head with { channels: ${backbone.channels} }`,
      );
    this.mean = opts.mean ?? DIV2K_MEAN;
    if (backbone instanceof Module) this.adopt(backbone, 'backbone');
    this.adopt(this.head, 'head');
  }

  /** Registers another module's children at this module's root so the state-dict keys stay flat. */
  private adopt(m: Module, what: string): void {
    const own = m.namedParameters().length;
    const viaChildren = m.namedChildren().reduce((a, [, c]) => a + c.namedParameters().length, 0);
    if (own !== viaChildren) throw new Error(`CiaoSR: the ${what} has parameters outside its child modules; wrap them in a child module`);
    for (const [name, c] of m.namedChildren()) this.child(name, c);
  }

  /** `raw − mean` on `[B, h, w, 3]` images in [0, 1]. */
  normalize(raw: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.sub(raw, tf.tensor1d([...this.mean])) as tf.Tensor4D);
  }

  /** Backbone features of a normalised LR batch, checked against the head's channel count. */
  encode(lq: tf.Tensor4D): tf.Tensor4D {
    const feat = this.backbone.encode(lq);
    if (feat.rank !== 4 || feat.shape[0] !== lq.shape[0] || feat.shape[1] !== lq.shape[1] || feat.shape[2] !== lq.shape[2]) {
      const shape = feat.shape;
      feat.dispose();
      throw new InputError(`the backbone must return [B, h, w, C] features at LR resolution [${lq.shape.slice(0, 3)}], got [${shape}]`);
    }
    if (feat.shape[3] !== this.head.channels) {
      const c = feat.shape[3];
      feat.dispose();
      throw new InputError(`the backbone returned ${c} channels but declares ${this.backbone.channels} and the head expects ${this.head.channels}`);
    }
    return feat;
  }

  /**
   * The generator on a normalised batch `lq` (`[B, h, w, 3]`) for queries built against the whole
   * image (`base = b·h·w`): `pred_raw` `[Q, 3]` (or `query_rgb` without the residual). Differentiable;
   * used by training and the golden tests.
   */
  forwardQueries(lq: tf.Tensor4D, qa: QueryArrays, residual = true): tf.Tensor2D {
    return tf.tidy(() => {
      const feat = this.encode(lq);
      const maps = this.head.prepare(feat, this.head.nonLocal(feat), lq);
      const out = this.head.decode(maps, qa, residual);
      disposeMaps(maps);
      return out;
    });
  }

  /**
   * Loads official or our weights. Accepts the bare generator state dict, an mmcv checkpoint flattened
   * by `readCheckpoint` (`state_dict.generator.<key>` or `generator.<key>`), and `module.`-prefixed
   * (DataParallel) keys. Non-generator entries of an mmcv checkpoint (discriminator, EMA copies under
   * other prefixes) are ignored. mmedit RDN key names are mapped to ours.
   */
  loadWeights(sd: StateDict, opts: Omit<LoadStateDictOptions, 'stripPrefix'> = {}): StateDictReport {
    return this.loadStateDict(remapMmeditRdnKeys(normalizeGeneratorKeys(sd)), opts);
  }
}

/** Strips the mmcv/DataParallel prefixes so the keys are the generator's own. */
export function normalizeGeneratorKeys(sd: StateDict): StateDict {
  let entries = Object.entries(sd);
  const strip = (prefix: string) => {
    if (entries.some(([k]) => k.startsWith(prefix))) entries = entries.filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]);
  };
  strip('state_dict.');
  strip('generator.');
  if (entries.every(([k]) => k.startsWith('module.'))) entries = entries.map(([k, v]) => [k.slice(7), v]);
  return Object.fromEntries(entries);
}
