/**
 * Training of the built-in ×4 VSpSR (`weights/default.safetensors`), Node only, with the paper's losses
 * as the official code weights them (notes §2.1): MSE + 0.1·KL_w (sparse Gamma prior) + 0.1·LSGAN
 * generator term against {@link VSpSRDiscriminator}, which is trained alternately (0.5·MSE(D(fake), 0)
 * + 0.5·MSE(D(real), 1)). The VGG19 relu5_4 content term (weight 0.01) is left out: no VGG19 weights
 * are available offline. Model: 64 atoms (the paper's small ablation setting, 0.27 M parameters, vs 256),
 * x_d on (bilinear interpolation + 2 convs), α 3, β 0.1 (the final model's prior). Data: random LR crops
 * (MATLAB bicubic ×1/4 of HR crops) with flips and transposes.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { HELD_OUT_PHOTOS, createRng, imresize, listTrainingPhotos, readImage, readSafetensors, toTrainImage, writeSafetensors, type TrainImage } from '@sr/core';
import { VSPSR } from './vspsr.js';
import { createVSpSRTrainer } from './train.js';
import { VSpSRDiscriminator } from './discriminator.js';
import { VSPSR_CONFIG_KEY } from './default-weights.js';
import type { VSpMConfig } from './vspm.js';

/** Options of {@link trainBuiltinVSpSR}. */
export interface BuiltinVSpSROptions {
  datasets: string;
  out: string;
  /** Start from these weights (e.g. the shipped file) instead of a random initialisation; Adam and D start fresh. */
  init?: string;
  steps?: number;
  batch?: number;
  /** LR crop side (HR = 4×). */
  crop?: number;
  lr?: number;
  seed?: number;
  /** Write the weights every this many steps too (a run can be stopped and still leave weights). */
  saveEvery?: number;
  log?: (s: string) => void;
}

/** The built-in model's configuration. */
export const BUILTIN_VSPSR_CONFIG: Partial<VSpMConfig> = { scale: 4, nBasis: 64, upsample: true, mode: 'bilinear', alpha: 3, beta: 0.1, variationalW: true, variationalZ: false };

/** A random HR crop `[1, 4c, 4c, 3]` with a random flip/transpose. */
function hrCrop(img: TrainImage, c: number, rnd: () => number): tf.Tensor4D {
  const S = 4 * c;
  const y0 = Math.floor(rnd() * (img.height - S + 1));
  const x0 = Math.floor(rnd() * (img.width - S + 1));
  const [fr, fc, tr] = [rnd() < 0.5, rnd() < 0.5, rnd() < 0.5];
  const data = new Float32Array(S * S * 3);
  for (let i = 0; i < S; i++)
    for (let j = 0; j < S; j++) {
      let y = tr ? j : i;
      let x = tr ? i : j;
      if (fr) y = S - 1 - y;
      if (fc) x = S - 1 - x;
      const src = ((y0 + y) * img.width + x0 + x) * 3;
      data.set(img.data.subarray(src, src + 3), (i * S + j) * 3);
    }
  return tf.tensor4d(data, [1, S, S, 3]);
}

/** Trains and writes the weights (configuration in `__metadata__.vspsr_config`); returns the loss log. */
export async function trainBuiltinVSpSR(o: BuiltinVSpSROptions): Promise<{ steps: number; seconds: number; log: number[][] }> {
  const log = o.log ?? console.log;
  const [steps, batch, crop, seed] = [o.steps ?? 2000, o.batch ?? 4, o.crop ?? 24, o.seed ?? 0];
  const files = listTrainingPhotos(o.datasets);
  const images: TrainImage[] = [];
  for (const f of files) images.push(toTrainImage(await readImage(f)));
  log(`${images.length} training photos`);
  const model = new VSPSR(BUILTIN_VSPSR_CONFIG);
  if (o.init) model.loadStateDict(readSafetensors(new Uint8Array(fs.readFileSync(o.init))).stateDict);
  const d = new VSpSRDiscriminator();
  d.train(true);
  const dVars = d.trainableVariables();
  const dOpt = tf.train.adam(1e-4, 0.9, 0.999, 1e-8);
  let fake: tf.Tensor4D | null = null;
  const trainer = createVSpSRTrainer(model, {
    learningRate: o.lr ?? 5e-4,
    seed,
    hooks: {
      generator: (pred) => {
        fake?.dispose();
        fake = tf.keep(tf.clone(pred));
        return tf.mean(tf.square(tf.sub(d.forward(pred), 1))) as tf.Scalar;
      },
    },
  });
  const rnd = createRng(seed + 1).next; // mulberry32, the stream the shipped weights were trained with
  const rows: number[][] = [];
  const t0 = Date.now();
  const save = () => {
    fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
    return model.stateDict().then((sd) => {
      const info = { init: o.init ? path.basename(o.init) : null, steps: rows.length, batch, crop, lr: o.lr ?? 5e-4, seed, photos: images.length, heldOut: HELD_OUT_PHOTOS, seconds: (Date.now() - t0) / 1000, losses: 'MSE + 0.1 KL_w + 0.1 LSGAN (no VGG term)' };
      fs.writeFileSync(o.out, writeSafetensors(sd, { format: 'pt', [VSPSR_CONFIG_KEY]: JSON.stringify({ ...BUILTIN_VSPSR_CONFIG }), vspsr_train: JSON.stringify(info) }));
    });
  };
  try {
    for (let s = 0; s < steps; s++) {
      const hrs = Array.from({ length: batch }, () => hrCrop(images[Math.floor(rnd() * images.length)], crop, rnd));
      const hr = tf.concat(hrs) as tf.Tensor4D;
      tf.dispose(hrs);
      const lrImg = tf.tidy(() => tf.clipByValue(imresize(hr, { height: crop, width: crop }), 0, 1) as tf.Tensor4D);
      const g = await trainer.step(lrImg, hr);
      // discriminator step on this batch's (detached) output
      const dl = dOpt.minimize(() => {
        const pf = d.forward(fake!);
        const pr = d.forward(hr);
        return tf.add(tf.mul(0.5, tf.mean(tf.square(pf))), tf.mul(0.5, tf.mean(tf.square(tf.sub(pr, 1))))) as tf.Scalar;
      }, true, dVars);
      const dLoss = dl ? (await dl.data())[0] : NaN;
      dl?.dispose();
      tf.dispose([hr, lrImg]);
      rows.push([s + 1, g.total, g.mse, g.klW ?? NaN, dLoss, (Date.now() - t0) / 1000]);
      if ((s + 1) % 25 === 0) {
        const w = rows.slice(-25);
        const m = (k: number) => (w.reduce((a, r) => a + r[k], 0) / w.length).toFixed(5);
        log(`step ${s + 1}/${steps} total ${m(1)} mse ${m(2)} klW ${m(3)} D ${m(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
      if (o.saveEvery && (s + 1) % o.saveEvery === 0) await save();
    }
    await save();
    return { steps, seconds: (Date.now() - t0) / 1000, log: rows };
  } finally {
    (fake as tf.Tensor | null)?.dispose();
    trainer.dispose();
    dOpt.dispose();
    d.dispose();
    model.dispose();
  }
}
