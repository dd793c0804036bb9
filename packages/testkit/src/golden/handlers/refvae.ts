import * as tf from '@tensorflow/tfjs-core';
import { toFloat32 } from '@sr/core';
import { Encoder4, RefVAENet, scaleFromConstructor, resizeReference, uint8ToTensor, type Encoder4Feature } from '@sr/refvae';
import type { GoldenContext, GoldenHandler } from '../types.js';

const nhwc = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
const nchw = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D;

/** Shape of a file as recorded in case.json (`files[name].shape`), if any. */
function recordedShape(ctx: GoldenContext, file: string): number[] | undefined {
  return ctx.json.files?.[file]?.shape as number[] | undefined;
}

/**
 * The reference input: `ref_uint8` (HWC) through the official Resize((S,S)) (PIL bilinear), S from
 * the recorded `ref_256` shape; falls back to the stored `ref_256` when no uint8 image exists.
 */
function referenceInput(ctx: GoldenContext): tf.Tensor4D {
  const target = recordedShape(ctx, 'ref_256.npy') ?? ctx.npy('ref_256').shape;
  const [size, sizeW] = target.slice(-2);
  if (size !== sizeW) throw new Error(`${ctx.name}: non-square reference size [${target}]`);
  if (!ctx.has('ref_uint8')) return tf.tidy(() => nhwc(ctx.tensor('ref_256')));
  const u8 = ctx.npy('ref_uint8');
  const [h, w, c] = u8.shape;
  const data = u8.data instanceof Uint8Array ? u8.data : Uint8Array.from(toFloat32(u8));
  return uint8ToTensor(resizeReference({ width: w, height: h, channels: c, data }, size));
}

/**
 * RefVAE (`refvae_*`): the official eval_8x.py `chop_forward` path with the injected ε (`eps`) and
 * the prior z (`z_prior`). The scale comes from the recorded `VAE_v3_<s>x` constructor, sizes from
 * the input files. Returns every fixture tensor the case stores (NCHW).
 */
async function run(ctx: GoldenContext): Promise<Record<string, tf.Tensor>> {
  const scale = scaleFromConstructor(ctx.json['constructor']);
  const enc = new Encoder4();
  const vae = new RefVAENet(scale);
  try {
    enc.loadStateDict(await ctx.checkpoint('weights_enc.pth.gz'));
    vae.loadStateDict(await ctx.checkpoint('weights_vae.pth.gz'));
    const out: Record<string, tf.Tensor> = {};
    const want = (name: string) => ctx.has(name);
    tf.tidy(() => {
      const lr = nhwc(ctx.tensor('lr'));
      const lrUp = vae.upsampleLR(lr);
      const keep: Encoder4Feature[] = ['r11', 'r21', 'r31', 'r41'];
      const lrFeat = enc.forward(lrUp, keep);
      for (const k of keep) if (want(`lr_feat_${k}`)) out[`lr_feat_${k}`] = tf.keep(nchw(lrFeat[k]!));
      if (want('lr_up')) out.lr_up = tf.keep(nchw(lrUp));
      const ref = referenceInput(ctx);
      if (want('ref_256')) out.ref_256 = tf.keep(nchw(ref));
      const refFeat = enc.forward(ref, ['r41']).r41!;
      if (want('ref_feat_r41')) out.ref_feat_r41 = tf.keep(nchw(refFeat));
      if (want('init_feat_out')) out.init_feat_out = tf.keep(nchw(vae.initFeat(refFeat)));
      const { mu, logvar } = vae.encode(refFeat);
      const eps = ctx.tensor('eps') as tf.Tensor2D;
      const z = vae.reparameterize(mu, logvar, eps);
      const parts: Record<string, tf.Tensor> = { mu, logvar, z, kl: tf.reshape(vae.kl(mu, logvar), [1]) };
      for (const [k, v] of Object.entries(parts)) if (want(k)) out[k] = tf.keep(v);
      const d = vae.decodeAll(lr, lrFeat.r41!, z);
      const maps: Record<string, tf.Tensor4D> = {
        C_R: d.cR,
        F_mu: d.fMu,
        F_sigma: d.fSigma,
        fused: d.fused,
        decoder_out: d.decoderOut,
        [`lr_bicubic_x${scale}`]: d.lrBicubic,
        sr: d.sr,
      };
      for (const [k, v] of Object.entries(maps)) if (want(k)) out[k] = tf.keep(nchw(v));
      if (want('sr_prior')) out.sr_prior = tf.keep(nchw(vae.decode(lr, lrFeat.r41!, ctx.tensor('z_prior') as tf.Tensor2D)));
    });
    return out;
  } finally {
    enc.dispose();
    vae.dispose();
  }
}

/** Golden handlers for this family. */
export const refvaeHandlers: GoldenHandler[] = [{ name: 'refvae', match: (name) => name.startsWith('refvae_'), run }];
