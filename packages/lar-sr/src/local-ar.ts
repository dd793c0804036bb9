/**
 * Stage 2 of LAR-SR: the local autoregressive module (`Local_Ar` of `fold_model.py` and
 * `fold_attention_model.py`, paper §3.3–3.4), NHWC.
 *
 * Given x_c it predicts P(I | x_c) for the Stage-1 index map I (HR/2 resolution), autoregressively
 * over the s² positions of every non-overlapping s×s patch (raster order), all patches in parallel:
 * - `sr_encode` = U-Net(3→C, mid C) + conv4×4/2: x_c → features at index resolution (enc1);
 * - `init_conv` = conv3×3+ELU, then log2(s)× [conv4×4/2, ELU, conv1×1]: the initial token per patch;
 * - `x_encode` = Linear(K→C), ELU, Linear on the one-hot index (enc2);
 * - `aggressive_encode` = Linear(2C→C), ELU, Linear, ELU, Linear: fuses enc2 with the position's enc1;
 * - the shifted sequence `[init, fused_0 … fused_{s²−2}]` goes through `gate_conv_group` (LAR:
 *   {@link SplitGateLayer}, LAR-attn: {@link AttentionGateLayer});
 * - `out_conv` = Linear(2C→C), ELU, Linear, ELU, Linear(C→K) on concat(layer output, enc1) → logits.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InputError, Module, ModuleList, Sequential } from '@sr/core';
import { ELU, LinearEluStack, UNet } from './blocks.js';
import { SplitGateLayer, type GateLayer } from './gate-layer.js';
import { AttentionGateLayer } from './attention-gate-layer.js';
import { foldPatches, sliceSeq, unfoldPatches } from './patches.js';

/** Which official LAR variant. */
export type LarVariant = 'lar' | 'lar-attn';

/** Constructor options of {@link LocalAR}; names and defaults follow `Local_Ar`. */
export interface LocalARConfig {
  variant?: LarVariant;
  /** Patch size s (official `scale`; 4 in the main results, 1–4 in the ablation). */
  patchSize?: number;
  /** Width C (official 64). */
  channel?: number;
  /** Codebook size K; must equal the VQ-VAE's. */
  nEmbed?: number;
  /** Number of gated layers (official defaults: 10 for LAR, 8 for LAR-attn; the paper says 12). */
  block?: number;
}

/** Conditioning computed once per image (NHWC; the caller disposes). */
export interface LarCondition {
  /** `sr_encode(x_c)`, `[B, H, W, C]` at index-map resolution. */
  srEncoded: tf.Tensor4D;
  /** enc1 features unfolded per position, `[B, s², H/s, W/s, C]`. */
  srFeature: tf.Tensor;
  /** `init_conv(sr_encode(x_c))`: the initial token per patch, `[B, H/s, W/s, C]`. */
  init: tf.Tensor4D;
}

/** Smallest multiple the coarse SR x_c's height and width must have for patch size `s`. */
export function larSizeMultiple(s: number): number {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  return (16 * 2 * s) / gcd(16, 2 * s); // U-Net: 4 max-pools (16); index map HR/2 divisible by s
}

/** The LAR / LAR-attn module (see module docs). */
export class LocalAR extends Module {
  readonly config: Required<LocalARConfig>;
  readonly srEncode: Sequential;
  readonly initConv: Sequential;
  readonly xEncode: LinearEluStack;
  readonly aggressiveEncode: LinearEluStack;
  readonly gateConvGroup: ModuleList<GateLayer & Module>;
  readonly outConv: LinearEluStack;

  constructor(cfg: LocalARConfig = {}) {
    super();
    const variant = cfg.variant ?? 'lar';
    const c: Required<LocalARConfig> = { variant, patchSize: 4, channel: 64, nEmbed: 1024, block: variant === 'lar' ? 10 : 8, ...cfg };
    if (!Number.isInteger(c.patchSize) || c.patchSize < 1 || c.patchSize > 8) throw new InputError(`LocalAR: patchSize must be an integer in 1..8, got ${c.patchSize}`);
    if (variant === 'lar-attn' && c.channel % 8) throw new InputError(`LocalAR: LAR-attn uses 8 heads, so channel (${c.channel}) must be a multiple of 8`);
    this.config = c;
    const ch = c.channel;
    const s = c.patchSize;
    this.srEncode = this.child('sr_encode', new Sequential([new UNet(3, ch, ch), new Conv2d(ch, ch, 4, { stride: 2, padding: 1 })]));
    const ic = (this.initConv = this.child('init_conv', new Sequential()));
    ic.add('0', new Conv2d(ch, ch, 3, { padding: 1 })).add('1', new ELU());
    for (let i = 0, k = 2; i < Math.floor(Math.log2(s)); i++) {
      ic.add(String(k++), new Conv2d(ch, ch, 4, { stride: 2, padding: 1 }));
      ic.add(String(k++), new ELU());
      ic.add(String(k++), new Conv2d(ch, ch, 1));
    }
    this.xEncode = this.child('x_encode', new LinearEluStack([c.nEmbed, ch, ch]));
    this.aggressiveEncode = this.child('aggressive_encode', new LinearEluStack([2 * ch, ch, ch, ch]));
    this.gateConvGroup = this.child('gate_conv_group', new ModuleList<GateLayer & Module>());
    for (let i = 0; i < c.block; i++)
      this.gateConvGroup.push(variant === 'lar' ? new SplitGateLayer(ch, s) : new AttentionGateLayer(ch, s));
    this.outConv = this.child('out_conv', new LinearEluStack([2 * ch, ch, ch, c.nEmbed]));
  }

  /** Patch size s. */
  get patchSize(): number {
    return this.config.patchSize;
  }

  /** Checks x_c `[B, Hx, Wx, 3]` for this patch size. */
  checkCoarse(xc: tf.Tensor): void {
    const m = larSizeMultiple(this.patchSize);
    if (xc.rank !== 4 || xc.shape[3] !== 3 || xc.shape[1]! % m || xc.shape[2]! % m)
      throw new InputError(`LocalAR: x_c must be NHWC [B, H, W, 3] with H and W multiples of ${m} for patch size ${this.patchSize}, got [${xc.shape}] (pad the image first)`);
  }

  /** enc1 and the initial tokens for x_c (once per image). */
  condition(xc: tf.Tensor4D): LarCondition {
    this.checkCoarse(xc);
    return tf.tidy(() => {
      const s = this.patchSize;
      const srEncoded = this.srEncode.forward(xc) as tf.Tensor4D;
      const [, h, w] = srEncoded.shape;
      let init = this.initConv.forward(srEncoded) as tf.Tensor4D;
      // Official init_conv halves log2(s) times, which only reaches the patch grid for s = 1, 2, 4 (the
      // official code crashes for s = 3). For other s we resize bilinearly to the grid (our deviation).
      if (init.shape[1] !== h / s || init.shape[2] !== w / s) init = tf.image.resizeBilinear(init, [h / s, w / s]);
      return { srEncoded, srFeature: unfoldPatches(srEncoded, s), init };
    }) as LarCondition;
  }

  /**
   * enc2 of an index map of any shape: `x_encode(onehot(ids))`, `[...]` → `[..., C]`. The one-hot
   * Linear is a row gather of its weight (exactly equal: every other term is a product with 0).
   */
  encodeIds(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [l0, l1] = this.xEncode.linears;
      let e: tf.Tensor = tf.gather(l0!.weight, tf.reshape(tf.cast(ids, 'int32'), [-1]));
      if (l0!.bias) e = tf.add(e, l0!.bias);
      return tf.reshape(l1!.forward(tf.elu(e)), [...ids.shape, this.config.channel]);
    });
  }

  /** Fused tokens `aggressive_encode(concat(enc2, enc1))` from enc2 features and enc1 of the same positions. */
  fuse(xFeature: tf.Tensor, srFeature: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.aggressiveEncode.forward(tf.concat([xFeature, srFeature], -1)));
  }

  /** Fused tokens for indices `[...]` and enc1 features `[..., C]` at the same positions. */
  embed(ids: tf.Tensor, srFeature: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fuse(this.encodeIds(ids), srFeature));
  }

  /** `out_conv(concat(h, enc1))` → logits `[..., K]`. */
  head(h: tf.Tensor, srFeature: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.outConv.forward(tf.concat([h, srFeature], -1)));
  }

  /**
   * Teacher-forced pass (`Local_Ar.forward`, the Stage-2 training pass): indices `[B, H, W]` (the
   * Stage-1 indices of the HR image) and x_c `[B, 2H, 2W, 3]` → logits `[B, H, W, K]` (NHWC; the
   * official output is NCHW). Position p of each patch sees the tokens of positions < p only.
   */
  forward(ids: tf.Tensor, xc: tf.Tensor4D, cond?: LarCondition): tf.Tensor4D {
    const [b, h, w] = ids.shape;
    if (ids.rank !== 3 || b !== xc.shape[0] || 2 * h !== xc.shape[1] || 2 * w !== xc.shape[2])
      throw new InputError(`LocalAR.forward: index map [${ids.shape}] does not match x_c [${xc.shape}] (expected [B, H/2, W/2])`);
    return tf.tidy(() => {
      const s = this.patchSize;
      const c = cond ?? this.condition(xc);
      // enc2 per pixel, then unfolded (float): the same as unfolding the index map first, without
      // shuffling int32 data (tfjs-webgpu 4.22 cannot transpose int32).
      const fused = this.fuse(unfoldPatches(this.encodeIds(ids), s), c.srFeature);
      const l = s * s;
      const shifted = l === 1 ? tf.expandDims(c.init, 1) : tf.concat([tf.expandDims(c.init, 1), sliceSeq(fused, 0, l - 1)], 1);
      const hOut = this.gateConvGroup.items.reduce((x, layer) => layer.forward(x), shifted as tf.Tensor);
      return foldPatches(this.head(hOut, c.srFeature), s);
    });
  }
}
