import * as tf from '@tensorflow/tfjs-core';
import { RDN, roundHalfEven } from '@sr/core';
import { CiaoSR, bilinearResidual, createCiaoSRBackbone, queryArrays } from '@sr/ciaosr';
import type { Backbone } from '@sr/core';
import type { GoldenContext, GoldenHandler } from '../types.js';

const nchwToNhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
const nhwcToNchw = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Builds the CiaoSR generator a `ciaosr-*` case.json describes (backbone type and sizes, MLP widths, mean). */
function buildFromCase(json: Record<string, any>): CiaoSR {
  const gen = json.config?.generator ?? {};
  const enc = gen.encoder ?? {};
  const type = String(gen.type ?? 'LocalImplicitSREDSR');
  const hidden: number[] = gen.imnet_q?.hidden_list ?? [256, 256, 256, 256];
  let backbone: Backbone;
  if (/EDSR/i.test(type) || enc.type === 'EDSR') {
    backbone = createCiaoSRBackbone('edsr-baseline', { feats: enc.mid_channels ?? 64, blocks: enc.num_blocks ?? 16 });
  } else if (/RDN/i.test(type) || enc.type === 'RDN') {
    // mmedit RDN (mid_channels, num_blocks, num_layers, channel_growth); its keys are renamed on load.
    backbone = new RDN({ G0: enc.mid_channels ?? 64, D: enc.num_blocks ?? 16, C: enc.num_layers ?? 8, G: enc.channel_growth ?? 64, noUpsampling: true });
  } else {
    throw new Error(`ciaosr golden: generator type '${type}' (encoder '${enc.type}') is not supported by this handler`);
  }
  const mean = (json.config?.rgb_mean ?? [0.4488, 0.4371, 0.404]) as [number, number, number];
  return new CiaoSR(backbone, { hiddenList: hidden }, { mean });
}

/**
 * Golden handler of the `ciaosr-*` cases (official CiaoSR, caojiezhang/CiaoSR): per input tag the
 * encoder features `feat_<tag>` and the non-local features `nl_feat_<tag>`; per run the decoder output
 * before the residual `query_<key>`, the generator output `pred_raw_<key>` and the restorer output
 * `img_<key>` (NCHW). The HR size is Python's `round(h·s)` and the coordinates are rebuilt here (not
 * read from `coord_*.npy`), so the test also covers the coordinate and nearest-tie semantics.
 */
export const ciaosrHandlers: GoldenHandler[] = [
  {
    name: 'ciaosr',
    match: (name) => name.startsWith('ciaosr-'),
    async run(ctx: GoldenContext) {
      const model = buildFromCase(ctx.json);
      const out: Record<string, tf.Tensor> = {};
      try {
        model.loadWeights(await ctx.checkpoint('weights.pth'));
        const runs = ctx.json.runs as Record<string, { input: string; scale: number | [number, number] }>;
        const tags = new Map<string, string>(); // tag → input file
        for (const r of Object.values(runs)) tags.set(r.input.replace(/^lq_raw_/, '').replace(/\.npy$/, ''), r.input);
        const inputs = new Map<string, tf.Tensor4D>();
        for (const [tag, file] of tags) {
          const raw = ctx.tensor(file);
          inputs.set(tag, tf.tidy(() => model.normalize(nchwToNhwc(raw))));
          raw.dispose();
        }
        for (const [tag, lq] of inputs) {
          tf.tidy(() => {
            const feat = model.encode(lq);
            const nl = model.head.nonLocal(feat);
            out[`feat_${tag}`] = tf.keep(nhwcToNchw(feat));
            out[`nl_feat_${tag}`] = tf.keep(nhwcToNchw(nl));
          });
        }
        for (const [key, r] of Object.entries(runs)) {
          const tag = r.input.replace(/^lq_raw_/, '').replace(/\.npy$/, '');
          const lq = inputs.get(tag)!;
          const [, h, w] = lq.shape;
          const [sy, sx] = typeof r.scale === 'number' ? [r.scale, r.scale] : r.scale;
          const H = roundHalfEven(h * sy);
          const W = roundHalfEven(w * sx);
          const qa = queryArrays({ geom: { h, w, H, W }, rows: range(H), cols: range(W), oy: 0, ox: 0, wh: h, ww: w, base: 0 });
          tf.tidy(() => {
            // pred_raw = query_rgb + bilinear(lq): decode once, add the residual.
            const query = model.forwardQueries(lq, qa, false);
            const pred = tf.add(query, bilinearResidual(tf.reshape(lq, [h * w, 3]) as tf.Tensor2D, qa));
            out[`query_${key}`] = tf.keep(tf.expandDims(query, 0));
            out[`pred_raw_${key}`] = tf.keep(tf.expandDims(pred, 0));
            const img = tf.clipByValue(tf.add(pred, tf.tensor1d([...model.mean])), 0, 1);
            out[`img_${key}`] = tf.keep(nhwcToNchw(tf.reshape(img, [1, H, W, 3])));
          });
        }
        tf.dispose([...inputs.values()]);
      } finally {
        model.dispose();
      }
      return out;
    },
  },
];
