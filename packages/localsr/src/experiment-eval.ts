/**
 * Held-out evaluation of the training experiment ({@link runExperiment}): per-ROI RGB PSNR of several
 * methods on the same ROIs, and paired statistics (mean ± standard error, and of the per-ROI
 * differences), so a small gap can be told apart from noise.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Roi } from './roi.js';
import type { TrainImage } from './train.js';

/** One method under evaluation: `prepare` runs once per image, `region` once per ROI. */
export interface EvalMethod {
  prepare?(lr: tf.Tensor4D): Promise<void> | void;
  region(lr: tf.Tensor4D, roi: Roi): Promise<tf.Tensor4D> | tf.Tensor4D;
  release?(): void;
}

/** Mean, standard error of the mean, and count. */
export interface MeanSe {
  mean: number;
  se: number;
  n: number;
}

/** Mean ± standard error (sample standard deviation / √n) of `xs`. */
export function meanSe(xs: number[]): MeanSe {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const v = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, se: Math.sqrt(v / Math.max(1, n)), n };
}

/** PSNR (peak 1) of `a` clipped to [0, 1] against `b`, RGB, no border cropping (paper §4.1). */
export async function roiPsnr(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(tf.clipByValue(a, 0, 1), b))));
  const v = (await mse.data())[0];
  mse.dispose();
  return 10 * Math.log10(1 / Math.max(v, 1e-12));
}

/** The non-overlapping `size²` tiles of an `h × w` LR image, row-major (remainder rows/cols unused). */
export function roiTiles(h: number, w: number, size: number): Roi[] {
  const out: Roi[] = [];
  for (let y = 0; y + size <= h; y += size) for (let x = 0; x + size <= w; x += size) out.push({ x, y, width: size, height: size });
  return out;
}

/**
 * Per-ROI PSNR of every method on the `size²` tiles of every held-out image (the whole LR image is the
 * context). Returns one array per method, ROIs in the same order, so differences can be paired.
 */
export async function evaluateRois(methods: Record<string, EvalMethod>, images: TrainImage[], size: number, scale = 4): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
  for (const img of images) {
    const [, H, W] = img.lr.shape;
    for (const m of Object.values(methods)) await m.prepare?.(img.lr);
    for (const roi of roiTiles(H, W, size)) {
      const gt = tf.slice(img.hr, [0, scale * roi.y, scale * roi.x, 0], [1, scale * size, scale * size, 3]);
      for (const [k, m] of Object.entries(methods)) {
        const o = await m.region(img.lr, roi);
        out[k].push(await roiPsnr(o, gt));
        o.dispose();
      }
      gt.dispose();
    }
    for (const m of Object.values(methods)) m.release?.();
  }
  return out;
}

/** `meanSe` of every method, and of the paired per-ROI differences `a − b` for each named pair. */
export function summarise(psnrs: Record<string, number[]>, pairs: [string, string][]): { methods: Record<string, MeanSe>; differences: Record<string, MeanSe & { wins: number }> } {
  const methods = Object.fromEntries(Object.entries(psnrs).map(([k, v]) => [k, meanSe(v)]));
  const differences: Record<string, MeanSe & { wins: number }> = {};
  for (const [a, b] of pairs) {
    const d = psnrs[a].map((x, i) => x - psnrs[b][i]);
    differences[`${a} − ${b}`] = { ...meanSe(d), wins: d.filter((x) => x > 0).length };
  }
  return { methods, differences };
}
