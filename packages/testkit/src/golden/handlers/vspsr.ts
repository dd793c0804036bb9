import * as tf from '@tensorflow/tfjs-core';
import { OpenCvCem, VSPSR, disposeRecord, type VSpMConfig } from '@sr/vspsr';
import type { GoldenContext, GoldenHandler } from '../types.js';

/** `case.json`'s "constructor" entry (own property: `json.constructor` would be Object's). */
const ctorOf = (json: Record<string, unknown>): Record<string, any> | undefined =>
  Object.prototype.hasOwnProperty.call(json, 'constructor') ? (json['constructor'] as Record<string, any>) : undefined;

const toNhwc = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D);
const toNchw = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D);

/** The official CEM (`get_cem(scale)`) on `sr`/`lr`, returning the files a case lists. */
function runCem(ctx: GoldenContext, scale: number, srNchw: tf.Tensor, lrNchw: tf.Tensor, prefix: 'cem' | 'all'): Record<string, tf.Tensor> {
  const cem = new OpenCvCem(scale);
  try {
    return tf.tidy(() => {
      const sr = toNhwc(srNchw);
      const lr = toNhwc(lrNchw);
      const tr = cem.applyDetailed(sr, lr);
      const f = cem.filterTensors();
      const all: Record<string, tf.Tensor> = {
        D_sr: toNchw(tr.dSr),
        inv_lr: toNchw(tr.invLr),
        U_inv_lr: toNchw(tr.uInvLr),
        U_inv_D_sr: toNchw(tr.uInvDSr),
        cem_out: toNchw(tr.out),
        cem_D_of_out: toNchw(cem.downscale(tr.out)),
        cem_downscale_filter: f.downscale,
        cem_upscale_filter: f.upscale,
        cem_inv_hTh: f.invHTh,
      };
      const keep = prefix === 'cem' ? Object.keys(all).filter((k) => k.startsWith('cem_')) : Object.keys(all);
      const out: Record<string, tf.Tensor> = {};
      for (const k of keep) if (ctx.has(k)) out[k] = all[k];
      return out;
    });
  } finally {
    cem.dispose();
  }
}

/** VSpM forward with the injected ε (`vspsr_x4`-like cases), plus the official CEM on its output. */
async function runModel(ctx: GoldenContext): Promise<Record<string, tf.Tensor>> {
  const a = ctorOf(ctx.json)!.make_vspm as Record<string, unknown>;
  const config: Partial<VSpMConfig> = {
    scale: a.scale as 4 | 8,
    nBasis: a.n_basis as number,
    nColor: (a.n_color as number) ?? 1,
    alpha: (a.alpha as number) ?? 3,
    beta: (a.beta as number) ?? 0.5,
    variationalZ: !!a.variational_z,
    variationalW: a.variational_w !== false,
    upsample: !!a.upsample,
    mode: (a.mode as VSpMConfig['mode']) ?? 'bilinear',
  };
  const model = new VSPSR(config);
  try {
    model.loadStateDict(await ctx.checkpoint('weights.pth'));
    const lrNchw = ctx.tensor('lr');
    const epsNchw = ctx.tensor('eps');
    const { out, pred } = tf.tidy(() => {
      const lr = toNhwc(lrNchw);
      const enc = model.vspm.encode(lr);
      const res = model.vspm.decode(enc, { epsW: toNhwc(epsNchw) });
      // Channels are folded into the batch: (B·3, n, H, W) in the fixture = NCHW of our [B·3, H, W, n].
      const all: Record<string, tf.Tensor | null> = {
        basis: toNchw(enc.basis),
        mu_w: toNchw(enc.muW),
        logvar_w: enc.logvarW && toNchw(enc.logvarW),
        sigma_w: res.sigmaW && toNchw(res.sigmaW),
        w: toNchw(res.w),
        kl_w: res.klW && toNchw(res.klW),
        finalbranch_in: toNchw(res.xs),
        finalbranch_out: toNchw(res.finalOut),
        upx: enc.upx && toNchw(enc.upx),
        pred: toNchw(res.pred),
      };
      disposeRecord(enc);
      disposeRecord(res);
      const o: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(all)) if (v && ctx.has(k)) o[k] = v;
      return { out: o, pred: tf.clone(all.pred as tf.Tensor) };
    });
    tf.dispose([epsNchw]);
    // The CEM runs on OUR pred, as evaluate.py's VSPSR(vspm, get_cem(s)) does on the model output.
    if (ctx.has('cem_out')) Object.assign(out, runCem(ctx, config.scale as number, pred, lrNchw, 'cem'));
    tf.dispose([pred, lrNchw]);
    return out;
  } finally {
    model.dispose();
  }
}

/** The official CEM alone (`vspsr_cem`-like cases: given `sr` and `lr`). */
async function runCemCase(ctx: GoldenContext): Promise<Record<string, tf.Tensor>> {
  const scale = ctorOf(ctx.json)!.get_cem.scale as number;
  const sr = ctx.tensor('sr');
  const lr = ctx.tensor('lr');
  try {
    return runCem(ctx, scale, sr, lr, 'all');
  } finally {
    tf.dispose([sr, lr]);
  }
}

/** Golden handlers for VSpSR (`vspsr_*`): the VSpM forward with injected ε, and the official CEM. */
export const vspsrHandlers: GoldenHandler[] = [
  {
    name: 'vspsr',
    match: (name, json) => name.startsWith('vspsr_') && !!ctorOf(json)?.make_vspm,
    run: runModel,
  },
  {
    name: 'vspsr-cem',
    match: (name, json) => name.startsWith('vspsr_') && !!ctorOf(json)?.get_cem,
    run: runCemCase,
  },
];
