import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createImplicitModel, getPath, readCheckpointObject, type ImplicitModelSpec, type LIIF, type LTE, type StateDict } from '@sr/core';
import type { GoldenContext, GoldenHandler } from '../types.js';

const isDict = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const toNHWC = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D);
const toNCHW = (t: tf.Tensor) => tf.tidy(() => tf.transpose(t, [0, 3, 1, 2]));

/**
 * Loads a LIIF/LTE train-script checkpoint (`{'model': {'name', 'args', 'sd'}, 'optimizer', 'epoch'}`)
 * and builds the model from `ckpt['model']` itself, as `models.make(ckpt['model'], load_sd=True)`;
 * case.json's `model_spec` must agree with it.
 */
async function loadModel(ctx: GoldenContext): Promise<LIIF | LTE> {
  const obj = await readCheckpointObject(path.join(ctx.dir, 'weights.pth'));
  const saved = getPath(obj, 'model');
  if (!isDict(saved) || typeof saved.name !== 'string' || !isDict(saved.args) || !isDict(saved.sd))
    throw new Error(`golden ${ctx.name}: weights.pth is not a LIIF train-script checkpoint (expected ckpt['model'] = {name, args, sd})`);
  const spec: ImplicitModelSpec = { name: saved.name, args: saved.args };
  const recorded = ctx.json.model_spec;
  if (recorded && JSON.stringify(recorded) !== JSON.stringify(spec))
    throw new Error(`golden ${ctx.name}: checkpoint spec ${JSON.stringify(spec)} differs from case.json model_spec ${JSON.stringify(recorded)}`);
  const model = createImplicitModel(spec);
  model.loadStateDict(saved.sd as StateDict); // strict: every official key must map
  return model;
}

/** `inp_rand16.npy` → `rand16`. */
function inputTag(run: Record<string, any>, key: string): string {
  const file = String(run.input ?? '');
  const m = file.match(/^inp_(.+)\.npy$/);
  if (!m) throw new Error(`run ${key}: unexpected input file '${file}' (expected inp_<tag>.npy)`);
  return m[1];
}

/**
 * Golden handler of the `liif-*` and `lte-*` cases. Per run of case.json: `pred_<key>` is the official
 * call `model(inp, coord, cell)` on the stored `inp_<tag>`, `coord_<key>`, `cell_<key>` (chunked
 * queries); `img_<key>` of the first run goes through the public path instead — `upscale(inp_raw_<tag>)`
 * normalises the raw image, generates coordinates and cells for `hr_hw` (makeCoord/makeCell values),
 * decodes in chunks, de-normalises and clamps — and of the other runs is `clamp(pred·0.5 + 0.5)` as
 * demo.py (one public-path run per case keeps the CPU suite fast); `feat_<tag>` is the encoder output. `*_cellclip_<key>` outputs (LTE runs
 * with s > 4) use the cell multiplied by `max(s/4, 1)` as LTE's test.py.
 */
export const liifHandlers: GoldenHandler[] = [
  {
    name: 'liif',
    match: (name) => /^(liif|lte)-/.test(name),
    async run(ctx) {
      const model = await loadModel(ctx);
      const outs: Record<string, tf.Tensor> = {};
      try {
        const runs = ctx.json.runs as Record<string, Record<string, any>>;
        if (!runs || !Object.keys(runs).length) throw new Error(`golden ${ctx.name}: case.json has no runs`);
        let first = true;
        for (const [key, run] of Object.entries(runs)) {
          const tag = inputTag(run, key);
          const [H, W] = run.hr_hw as [number, number];
          const scaleMax = (model as LTE).scaleMax ?? 4;
          const clipScale = Math.max(Number(run.scale) / scaleMax, 1);
          const inp = ctx.tensor(`inp_${tag}`);
          const x = toNHWC(inp);
          const coord = ctx.tensor(`coord_${key}`) as tf.Tensor3D;
          const cell = ctx.tensor(`cell_${key}`) as tf.Tensor3D;
          const feat = model.genFeat(x) as never;
          try {
            const featName = `feat_${tag}`;
            if (ctx.has(featName) && !outs[featName]) {
              const state = feat as unknown;
              const f = state instanceof tf.Tensor ? (state as tf.Tensor4D) : (state as { feat: tf.Tensor4D }).feat;
              outs[featName] = toNCHW(f);
            }
            const expected: string[] = (run.outputs ?? [`pred_${key}.npy`, `img_${key}.npy`]).map((f: string) => f.replace(/\.npy$/, ''));
            const preds: Record<string, tf.Tensor> = {};
            const predOf = (clip: string) =>
              (preds[clip] ??= (model.decode as (f: never, t: object, o: object) => tf.Tensor)(feat, { coord, cell }, { cellScale: clip ? clipScale : 1 }));
            for (const name of expected) {
              const m = name.match(/^(pred|img)(_cellclip)?_(.+)$/);
              if (!m || m[3] !== key) throw new Error(`golden ${ctx.name}: don't know how to produce '${name}' of run ${key}`);
              const clip = m[2] ?? '';
              if (m[1] === 'pred') outs[name] = tf.clone(predOf(clip));
              else if (first) {
                // the public path, once per case (CPU time): raw image → normalise → makeCoord/makeCell grid → chunked decode → clamp
                const raw = ctx.tensor(`inp_raw_${tag}`);
                const rx = toNHWC(raw);
                const img = model.upscale(rx, { height: H, width: W }, { cellScale: clip ? clipScale : 1, chunkSize: 1000 });
                outs[name] = toNCHW(img);
                tf.dispose([raw, rx, img]);
              } else {
                // demo.py: clamp(pred·0.5 + 0.5, 0, 1).view(1, H, W, 3).permute(0, 3, 1, 2)
                const p = predOf(clip);
                outs[name] = tf.tidy(() => toNCHW(tf.reshape(tf.clipByValue(tf.add(tf.mul(p, 0.5), 0.5), 0, 1), [1, H, W, 3])));
              }
            }
            tf.dispose(Object.values(preds));
            first = false;
          } finally {
            (model.disposeFeat as (f: never) => void)(feat);
            tf.dispose([inp, x, coord, cell]);
          }
        }
        return outs;
      } catch (e) {
        tf.dispose(Object.values(outs));
        throw e;
      } finally {
        model.dispose();
      }
    },
  },
];
