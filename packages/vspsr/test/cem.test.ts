import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imresizeArray, initBackend, interpolate, readImage, tensorToImage, type ImageArray } from '@sr/core';
import { lrPsnr } from '@sr/metrics';
import { sharedRoot } from '@sr/testkit';
import { MatlabCem, OpenCvCem, opencvCemFilters } from '../src/index.js';

const SET5 = ['baby', 'bird', 'butterfly', 'head', 'woman'];

/** Set5 image, cropped top-left to a multiple of 8 (the NTIRE scorer's GT crop), as uint8 RGB. */
async function gtImage(name: string, crop?: number): Promise<ImageArray> {
  const file = path.join(sharedRoot(), 'datasets', 'set5', `${name}.png`);
  if (!fs.existsSync(file)) throw new Error(`missing test image ${file} (shared/datasets/set5)`);
  const img = await readImage(file);
  const H = crop ?? Math.floor(img.height / 8) * 8;
  const W = crop ?? Math.floor(img.width / 8) * 8;
  const data = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++) data.set(img.data.subarray(y * img.width * 3, y * img.width * 3 + W * 3) as Uint8Array, y * W * 3);
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

/** The LR input a user would have: MATLAB bicubic ↓s of the GT, rounded to uint8. */
function lrOf(gt: ImageArray, s: number): tf.Tensor4D {
  const r = imresizeArray({ data: gt.data, height: gt.height, width: gt.width, channels: 3 }, 1 / s);
  const q = Float32Array.from(r.data, (v) => Math.min(255, Math.max(0, Math.round(v))) / 255);
  return tf.tensor4d(q, [1, r.height, r.width, 3]);
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('MATLAB-kernel CEM: LR-PSNR (NTIRE scorer, @sr/metrics lrPsnr) ≥ 50 dB for any generator output', () => {
  test.each(SET5)('×4 %s: uniform noise (and a blurry generator output for bird/head)', async (name) => {
    const gt = await gtImage(name);
    const lr = lrOf(gt, 4);
    const cem = new MatlabCem(4);
    const noise = tf.randomUniform([1, gt.height, gt.width, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const blurry = tf.tidy(() => tf.add(tf.image.resizeBilinear(lr, [gt.height, gt.width], false, true), tf.randomNormal([1, gt.height, gt.width, 3], 0, 0.1, 'float32', 8))) as tf.Tensor4D;
    for (const [label, gen] of (name === 'bird' || name === 'head' ? [['noise', noise], ['blurry', blurry]] : [['noise', noise]]) as [string, tf.Tensor4D][]) {
      const out = await cem.apply(gen, lr);
      const u8 = tensorToImage(out);
      const score = await lrPsnr(u8, gt, 4);
      console.log(`×4 ${name} ${label}: LR-PSNR ${score.toFixed(2)} dB (${cem.lastReport?.iterations} clip/project rounds)`);
      expect(score).toBeGreaterThanOrEqual(50);
      out.dispose();
    }
    tf.dispose([lr, noise, blurry]);
    cem.dispose();
  });

  test('×8 baby and woman: uniform noise', async () => {
    const cem = new MatlabCem(8);
    for (const name of ['baby', 'woman']) {
      const gt = await gtImage(name);
      const lr = lrOf(gt, 8);
      const noise = tf.randomUniform([1, gt.height, gt.width, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      const out = await cem.apply(noise, lr);
      const score = await lrPsnr(tensorToImage(out), gt, 8);
      console.log(`×8 ${name} noise: LR-PSNR ${score.toFixed(2)} dB`);
      expect(score).toBeGreaterThanOrEqual(50);
      tf.dispose([lr, noise, out]);
    }
    cem.dispose();
  });

  test('exact projection: imresize(out, 1/s) = lr to float precision (no clipping needed)', async () => {
    const gt = await gtImage('butterfly', 64);
    const lr = lrOf(gt, 4);
    const gen = tf.tidy(() => tf.add(interpolate(lr, { scaleFactor: 4, mode: 'bicubic' }), 0)) as tf.Tensor4D;
    const cem = new MatlabCem(4);
    const out = await cem.apply(gen, lr, { maxIterations: 0 });
    const d = await cem.downscale(out);
    const a = await d.data();
    const b = await lr.data();
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    expect(m).toBeLessThan(2e-6);
    // The CEM operator is the measurement's: core's float imresize agrees.
    const ref = imresizeArray({ data: await out.data(), height: 64, width: 64, channels: 3 }, 1 / 4).data;
    let m2 = 0;
    for (let i = 0; i < a.length; i++) m2 = Math.max(m2, Math.abs(ref[i] - a[i]));
    expect(m2).toBeLessThan(1e-6);
    tf.dispose([lr, gen, out, d]);
    cem.dispose();
  });

  test('the official OpenCV-kernel CEM is consistent only with its own operator (why the kernel matters)', async () => {
    const gt = await gtImage('head', 96);
    const lr = lrOf(gt, 4);
    const gen = tf.tidy(() => tf.add(tf.image.resizeBilinear(lr, [96, 96], false, true), tf.randomNormal([1, 96, 96, 3], 0, 0.1, 'float32', 3))) as tf.Tensor4D;
    const official = new OpenCvCem(4);
    const ours = new MatlabCem(4);
    const a = official.apply(gen, lr);
    const b = await ours.apply(gen, lr);
    const sa = await lrPsnr(tensorToImage(a), gt, 4);
    const sb = await lrPsnr(tensorToImage(b), gt, 4);
    console.log(`head 96² ×4: LR-PSNR official OpenCV CEM ${sa.toFixed(2)} dB, MATLAB CEM ${sb.toFixed(2)} dB`);
    expect(sb).toBeGreaterThan(sa + 3);
    expect(sb).toBeGreaterThanOrEqual(50);
    tf.dispose([lr, gen, a, b]);
    official.dispose();
    ours.dispose();
  });

  test('input checks: sizes must match the scale', async () => {
    const cem = new MatlabCem(4);
    const sr = tf.zeros([1, 30, 32, 3]) as tf.Tensor4D;
    const lr = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    await expect(cem.apply(sr, lr)).rejects.toThrow(/4×|multiple/);
    tf.dispose([sr, lr]);
  });
});

describe('official CEM filters', () => {
  test('×8 filters are normalised and inv_hTh peaks at its centre', () => {
    const f = opencvCemFilters(8);
    const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(f.downscale.data)).toBeCloseTo(1, 5);
    expect(sum(f.upscale.data)).toBeCloseTo(64, 3);
    const n = f.invHTh.size;
    const c = (n * n - 1) / 2;
    expect(f.invHTh.data.indexOf(Math.max(...f.invHTh.data))).toBe(c);
    expect(f.preStride).toBe(3);
  });

  test('×8 official CEM: D(out) = lr in the interior', async () => {
    const cem = new OpenCvCem(8);
    const lr = tf.randomUniform([1, 12, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const sr = tf.randomUniform([1, 96, 96, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const out = cem.apply(sr, lr);
    const d = cem.downscale(out);
    const inner = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(d, [0, 4, 4, 0], [1, 4, 4, 3]), tf.slice(lr, [0, 4, 4, 0], [1, 4, 4, 3])))));
    expect((await inner.data())[0]).toBeLessThan(1e-3);
    tf.dispose([lr, sr, out, d, inner]);
    cem.dispose();
  });
});
