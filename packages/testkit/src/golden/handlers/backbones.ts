import * as tf from '@tensorflow/tfjs-core';
import { EDSR, RDN, RRDBNet, type Module, type StateDict } from '@sr/core';
import type { GoldenContext, GoldenHandler } from '../types.js';

/** Python `key=value` pairs in a recorded constructor string (`num_feat=32`, `res_scale=0.1`). */
export function pyKwargs(text: string): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const m of text.matchAll(/(\w+)\s*=\s*(True|False|-?[\d.]+(?:e-?\d+)?|'[^']*')/g)) out[m[1]] = pyValue(m[2]);
  return out;
}

/** Entries of the Python dict literal after `'<key>': {` (e.g. LIIF's `'args': {...}`). */
export function pyDictEntries(text: string, key: string): Record<string, number | boolean | string> {
  const m = text.match(new RegExp(`'${key}'\\s*:\\s*\\{([^}]*)\\}`));
  const out: Record<string, number | boolean | string> = {};
  if (!m) return out;
  for (const e of m[1].matchAll(/'(\w+)'\s*:\s*(True|False|-?[\d.]+|'[^']*')/g)) out[e[1]] = pyValue(e[2]);
  return out;
}

function pyValue(v: string): number | boolean | string {
  if (v === 'True') return true;
  if (v === 'False') return false;
  if (v.startsWith("'")) return v.slice(1, -1);
  return Number(v);
}

/**
 * The recorded constructor string. Read as an own property: `json.constructor` on a case without one
 * would be `Object`'s constructor function.
 */
function recordedConstructor(json: Record<string, any>): string {
  const v: unknown = Object.prototype.hasOwnProperty.call(json, 'constructor') ? json['constructor'] : undefined;
  return typeof v === 'string' ? v : '';
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
const toNHWC = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D);

/**
 * Runs `model` on every `<inPrefix><tag>` input whose `<outPrefix><tag>` output exists and returns the
 * outputs NCHW, keyed by the expected file names.
 */
function runAll(
  ctx: GoldenContext,
  model: Module & { forward(x: tf.Tensor): tf.Tensor4D },
  inPrefix: string,
  outPrefix: string,
): Record<string, tf.Tensor> {
  const outs: Record<string, tf.Tensor> = {};
  const names = ctx.files().filter((f) => f.startsWith(outPrefix));
  if (!names.length) throw new Error(`golden ${ctx.name}: no expected outputs named ${outPrefix}*`);
  for (const name of names) {
    const tag = name.slice(outPrefix.length);
    const inp = ctx.tensor(`${inPrefix}${tag}`);
    const x = toNHWC(inp);
    outs[name] = tf.tidy(() => tf.transpose(model.forward(x), [0, 3, 1, 2]));
    tf.dispose([inp, x]);
  }
  return outs;
}

async function loaded<M extends Module>(ctx: GoldenContext, model: M, file: string, key?: string): Promise<M> {
  let sd: StateDict;
  try {
    sd = await ctx.checkpoint(file, key);
    model.loadStateDict(sd); // strict: every official key, nothing else
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * LIIF's EDSR (`edsr-*`): one model per entry of `constructors` (e.g. `encoder` with
 * `no_upsampling`, `x2` with `scale: 2`), configured from the recorded `models.make({...}) -> k=v`
 * text, weights from `weights_<entry>.pth`; `feat_<tag>` comes from the encoder, `sr_<entry>_<tag>`
 * from the others, each fed `inp_<tag>`.
 */
const edsrHandler: GoldenHandler = {
  name: 'edsr (LIIF)',
  match: (name) => name.startsWith('edsr-'),
  async run(ctx) {
    const single = recordedConstructor(ctx.json);
    const ctors: Record<string, string> = ctx.json.constructors ?? (single ? { encoder: single } : {});
    if (!Object.keys(ctors).length) throw new Error(`golden ${ctx.name}: case.json records no constructor`);
    let shared: Record<string, number | boolean | string> = {};
    const outs: Record<string, tf.Tensor> = {};
    for (const [entry, text] of Object.entries(ctors)) {
      const [call, derived = ''] = text.split('->');
      const kw = pyKwargs(derived);
      if (Object.keys(kw).length) shared = kw;
      const args = { ...(/same/.test(derived) ? shared : kw), ...pyDictEntries(call, 'args') };
      const name = call.match(/'name'\s*:\s*'([\w-]+)'/)?.[1] ?? 'edsr-baseline';
      const big = name === 'edsr';
      const model = new EDSR({
        nResblocks: num(args.n_resblocks, big ? 32 : 16),
        nFeats: num(args.n_feats, big ? 256 : 64),
        resScale: num(args.res_scale, big ? 0.1 : 1),
        scale: num(args.scale, 2),
        rgbRange: num(args.rgb_range, 1),
        noUpsampling: args.no_upsampling === true,
      });
      const file = ctx.has(`weights_${entry}.pth`) ? `weights_${entry}.pth` : 'weights.pth';
      await loaded(ctx, model, file);
      try {
        Object.assign(outs, runAll(ctx, model, 'inp_', model.noUpsampling ? 'feat_' : `sr_${entry}_`));
      } finally {
        model.dispose();
      }
    }
    return outs;
  },
};

/**
 * LIIF's RDN (`rdn-*`): (D, C, G) from the recorded `(D,C,G)=(…)` or the module surgery text
 * (`model.D=…`, `RDB(growRate0=…, growRate=…, nConvLayers=…)`), else the RDNconfig; `feat_<tag>`
 * from `inp_<tag>`.
 */
const rdnHandler: GoldenHandler = {
  name: 'rdn (LIIF)',
  match: (name) => name.startsWith('rdn-'),
  async run(ctx) {
    const text = recordedConstructor(ctx.json);
    if (!text) throw new Error(`golden ${ctx.name}: case.json records no constructor`);
    const kw = pyKwargs(text);
    const args = pyDictEntries(text, 'args');
    const dcg = text.match(/\(D,\s*C,\s*G\)\s*=\s*\((\d+),\s*(\d+),\s*(\d+)\)/);
    const config = (text.match(/RDNconfig\s*'?(A|B)/)?.[1] ?? (args.RDNconfig as string) ?? 'B') as 'A' | 'B';
    const model = new RDN({
      config,
      G0: num(kw.growRate0 ?? args.G0, 64),
      kSize: num(args.RDNkSize, 3),
      D: dcg ? Number(dcg[1]) : typeof kw.D === 'number' ? kw.D : undefined,
      C: dcg ? Number(dcg[2]) : typeof kw.nConvLayers === 'number' ? kw.nConvLayers : undefined,
      G: dcg ? Number(dcg[3]) : typeof kw.growRate === 'number' ? kw.growRate : undefined,
      scale: num(args.scale, 2),
      noUpsampling: args.no_upsampling === true,
    });
    await loaded(ctx, model, 'weights.pth');
    try {
      return runAll(ctx, model, 'inp_', model.UPNet ? 'sr_' : 'feat_');
    } finally {
      model.dispose();
    }
  },
};

/**
 * BasicSR's RRDBNet (`rrdbnet-*`): built from the recorded `RRDBNet(num_in_ch=…, …)` call; `sr_<tag>`
 * from `lr_<tag>`. Also checks that `weights_basicsr.pth` (`{params: sd}`, what `save_network`
 * writes) holds the same tensors as the bare state dict when both are present.
 */
const rrdbnetHandler: GoldenHandler = {
  name: 'rrdbnet (BasicSR)',
  match: (name) => name.startsWith('rrdbnet-'),
  async run(ctx) {
    const text = recordedConstructor(ctx.json);
    if (!/RRDBNet\s*\(/.test(text)) throw new Error(`golden ${ctx.name}: case.json records no RRDBNet(...) constructor`);
    const kw = pyKwargs(text);
    const scale = num(kw.scale, 4);
    if (scale !== 1 && scale !== 2 && scale !== 4) throw new Error(`golden ${ctx.name}: unsupported RRDBNet scale ${scale}`);
    const model = new RRDBNet({
      numInCh: num(kw.num_in_ch, 3),
      numOutCh: num(kw.num_out_ch, 3),
      scale,
      numFeat: num(kw.num_feat, 64),
      numBlock: num(kw.num_block, 23),
      numGrowCh: num(kw.num_grow_ch, 32),
    });
    await loaded(ctx, model, 'weights.pth');
    try {
      if (ctx.has('weights_basicsr.pth')) {
        const [a, b] = [await ctx.checkpoint('weights.pth'), await ctx.checkpoint('weights_basicsr.pth', 'params')];
        for (const [k, v] of Object.entries(a))
          if (!b[k] || b[k].data.length !== v.data.length || b[k].data.some((x, i) => x !== v.data[i]))
            throw new Error(`golden ${ctx.name}: weights_basicsr.pth['params'] differs from weights.pth at ${k}`);
      }
      return runAll(ctx, model, 'lr_', 'sr_');
    } finally {
      model.dispose();
    }
  },
};

/** Golden handlers for the backbone cases (`edsr-*`, `rdn-*`, `rrdbnet-*`). */
export const backboneHandlers: GoldenHandler[] = [edsrHandler, rdnHandler, rrdbnetHandler];
