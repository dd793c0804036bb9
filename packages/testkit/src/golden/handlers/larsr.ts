/**
 * Golden handlers for LAR-SR (`larsr_*`, see fixtures/golden/STOCHASTIC.md §1): the RRDB coarse
 * model, the tex-VQVAE (encode, quantise, decode), the teacher-forced LAR / LAR-attn pass and the
 * sampler with the recorded randomness injected. Models are built from `case.json` constructors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { toFloat32 } from '@sr/core';
import { LocalAR, TexVQVAE, createCoarseModel, sampleIndices, type LocalARConfig, type TexVQVAEConfig } from '@sr/lar-sr';
import type { GoldenContext, GoldenHandler } from '../types.js';

const nhwc = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t as tf.Tensor4D, [0, 2, 3, 1]);
const nchw = (t: tf.Tensor): tf.Tensor4D => tf.transpose(t as tf.Tensor4D, [0, 3, 1, 2]);
/** `case.json`'s `constructor` block (a plain JSON object, not `Object.prototype.constructor`). */
const ctorOf = (json: Record<string, any>): Record<string, any> => json['constructor'] as Record<string, any>;

function vqvaeConfig(c: Record<string, number>): TexVQVAEConfig {
  return { inChannel: c.in_channel, channel: c.channel, nResBlock: c.n_res_block, nResChannel: c.n_res_channel, embedDim: c.embed_dim, nEmbed: c.n_embed };
}

function larConfig(c: Record<string, number>, module: string): LocalARConfig {
  return { variant: /attention/.test(module) ? 'lar-attn' : 'lar', patchSize: c.scale, channel: c.channel, nEmbed: c.n_embed, block: c.block };
}

function intTensor(ctx: GoldenContext, file: string): tf.Tensor {
  const d = ctx.npy(file);
  return tf.tensor(Int32Array.from(toFloat32(d)), d.shape, 'int32');
}

async function vqvae(ctx: GoldenContext, cfg: Record<string, number>, file: string): Promise<TexVQVAE> {
  const m = new TexVQVAE(vqvaeConfig(cfg));
  m.loadStateDict(await ctx.checkpoint(file));
  return m;
}

async function lar(ctx: GoldenContext, cfg: Record<string, number>, module: string, file: string): Promise<LocalAR> {
  const m = new LocalAR(larConfig(cfg, module));
  m.loadStateDict(await ctx.checkpoint(file));
  return m;
}

const rrdbHandler: GoldenHandler = {
  name: 'larsr-rrdb',
  match: (name) => name.startsWith('larsr_rrdb'),
  async run(ctx) {
    const c = ctorOf(ctx.json) as Record<string, number>;
    const model = createCoarseModel(await ctx.checkpoint('weights.pth'), {
      numInCh: c.in_nc,
      numOutCh: c.out_nc,
      numFeat: c.nf,
      numBlock: c.nb,
      numGrowCh: c.gc,
    });
    try {
      const lr = ctx.tensor('lr');
      const sr = tf.tidy(() => nchw(model.forward(nhwc(lr))));
      lr.dispose();
      return { sr };
    } finally {
      model.dispose();
    }
  },
};

const vqvaeHandler: GoldenHandler = {
  name: 'larsr-vqvae',
  match: (name) => name.startsWith('larsr_vqvae'),
  async run(ctx) {
    const m = await vqvae(ctx, ctorOf(ctx.json), 'weights.pth');
    const [hr, xc] = [nhwc(ctx.tensor('hr')), nhwc(ctx.tensor('xc'))];
    try {
      return tf.tidy(() => {
        const e = m.encode(hr, xc);
        const encT = m.encT.forward(xc);
        const residual = m.decodeResidual(xc, e.quantized);
        return {
          enc_b_out: nchw(e.encOut),
          z_e: nchw(e.zE),
          indices: e.indices,
          quant: nchw(e.quantized),
          commit_diff: tf.reshape(e.diff, [1]),
          enc_t_out: nchw(encT),
          dec_residual: nchw(residual),
          out: nchw(tf.add(residual, xc)),
          decode_code_out: nchw(m.decodeCode(xc, e.indices)),
        };
      });
    } finally {
      tf.dispose([hr, xc]);
      m.dispose();
    }
  },
};

const larHandler: GoldenHandler = {
  name: 'larsr-lar',
  match: (name, json) => /^larsr_lar/.test(name) && !('randomness' in json),
  async run(ctx) {
    const m = await lar(ctx, ctorOf(ctx.json), String(ctx.json.module), 'weights.pth');
    const xc = nhwc(ctx.tensor('xc'));
    const ids = intTensor(ctx, 'indices');
    try {
      return tf.tidy(() => {
        const cond = m.condition(xc);
        const logits = m.forward(ids, xc, cond);
        return {
          sr_encode_out: nchw(cond.srEncoded),
          init_conv_out: nchw(cond.init),
          logits: nchw(logits),
          probs: nchw(tf.softmax(logits)),
        };
      });
    } finally {
      tf.dispose([xc, ids]);
      m.dispose();
    }
  },
};

const sampleHandler: GoldenHandler = {
  name: 'larsr-sample',
  match: (name, json) => /^larsr_lar/.test(name) && 'randomness' in json,
  async run(ctx) {
    const j = ctx.json;
    const from = j.weights_from as Record<string, string>;
    const m = await lar(ctx, ctorOf(j).Local_Ar, String(j.module), from.Local_Ar);
    const vq = await vqvae(ctx, ctorOf(j).res_vqvae, from.res_vqvae);
    const xc = nhwc(ctx.tensor('xc'));
    const q = toFloat32(ctx.npy('sample_exp_noise'));
    const mask = toFloat32(ctx.npy('sample_argmax_mask'));
    const [steps, n, k] = ctx.npy('sample_exp_noise').shape;
    const noise = {
      expNoise: (i: number) => q.subarray(i * n * k, (i + 1) * n * k),
      argmaxMask: (i: number) => mask.subarray(i * n, (i + 1) * n),
    };
    const out: Record<string, tf.Tensor> = {};
    try {
      for (const greedy of [false, true]) {
        const probs = new Float32Array(steps * n * k);
        const ids = await sampleIndices(m, xc, {
          argmaxProb: typeof j.thed === 'number' ? j.thed : 0.05,
          greedy,
          noise,
          onStep: (i, p) => probs.set(p, i * n * k),
        });
        const tag = greedy ? 'greedy' : 'sampled';
        out[`ids_${tag}`] = ids;
        out[`sr_${tag}`] = tf.tidy(() => nchw(vq.decodeCode(xc, ids)));
        out[greedy ? 'greedy_step_probs' : 'sample_step_probs'] = tf.tensor3d(probs, [steps, n, k]);
      }
      return out;
    } catch (e) {
      tf.dispose(Object.values(out));
      throw e;
    } finally {
      xc.dispose();
      m.dispose();
      vq.dispose();
    }
  },
};

/** Golden handlers for this family. */
export const larsrHandlers: GoldenHandler[] = [rrdbHandler, vqvaeHandler, larHandler, sampleHandler];
