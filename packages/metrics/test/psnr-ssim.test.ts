import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, imresizeArray, readImage } from '@sr/core';
import { sharedRoot } from '@sr/testkit';
import { psnr, psnrPixels, rgbToY, ssim, ssimPixels, toPixels } from '../src/index.js';

const dir = () => path.join(sharedRoot(), 'fixtures', 'metrics');
function expected() {
  const f = path.join(dir(), 'expected.json');
  if (!fs.existsSync(f)) throw new Error(`fixture missing: ${f} (put ../shared beside the repository)`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

describe('PSNR / SSIM reproduce BasicSR (shared/fixtures/metrics)', () => {
  const names = ['baboon', 'baby', 'bird', 'butterfly', 'head', 'woman'];
  for (const name of names)
    it(name, async () => {
      const ref = expected().images[name];
      const hr = await toPixels(path.join(dir(), ref.files.hr));
      const sr = await toPixels(path.join(dir(), ref.files.bicubic_x4));
      for (const crop of [0, 4])
        for (const y of [false, true]) {
          const key = `${y ? 'y' : 'rgb'}_crop${crop}`;
          const p = psnrPixels(hr, sr, { cropBorder: crop, yChannel: y });
          const s = ssimPixels(hr, sr, { cropBorder: crop, yChannel: y });
          expect(Math.abs(p - ref.basicsr[`psnr_${key}`])).toBeLessThan(1e-3);
          expect(Math.abs(s - ref.basicsr[`ssim_${key}`])).toBeLessThan(1e-4);
          // BasicSR's torch variants (float32 input, +1e-8 in the MSE) differ by < 1e-5 dB: same tolerances hold.
          expect(Math.abs(p - ref.basicsr_pt[`psnr_${key}`])).toBeLessThan(1e-3);
          expect(Math.abs(s - ref.basicsr_pt[`ssim_${key}`])).toBeLessThan(1e-4);
          expect(Math.abs(p - ref.skimage[`psnr_${key}`])).toBeLessThan(1e-3);
          expect(Math.abs(s - ref.skimage[`ssim_${key}`])).toBeLessThan(1e-4);
        }
      // lr_psnr_rgb_of_bicubic_x4: PSNR(LR, round(imresize(SR/255, 1/4)·255)) with BasicSR's float imresize
      const lr = await toPixels(path.join(dir(), ref.files.lr_x4));
      const down = imresizeArray({ ...sr, data: sr.data.map((v) => v / 255) }, 1 / 4);
      const q = { ...down, data: down.data.map((v) => Math.min(255, Math.max(0, Math.round(v * 255)))) };
      expect(Math.abs(psnrPixels(lr, q) - ref.basicsr.lr_psnr_rgb_of_bicubic_x4)).toBeLessThan(1e-2);
    });

  it('baboon matches BasicSR README to 6 decimals (RGB 20.419710 / 0.391853, Y 22.441899 / 0.453098)', async () => {
    const hr = path.join(dir(), 'baboon_hr.png');
    const sr = path.join(dir(), 'baboon_bicubic_x4.png');
    expect((await psnr(hr, sr, { cropBorder: 4 })).toFixed(6)).toBe('20.419710');
    expect((await ssim(hr, sr, { cropBorder: 4 })).toFixed(6)).toBe('0.391853');
    expect((await psnr(hr, sr, { cropBorder: 4, yChannel: true })).toFixed(6)).toBe('22.441899');
    expect((await ssim(hr, sr, { cropBorder: 4, yChannel: true })).toFixed(6)).toBe('0.453098');
  });
});

describe('inputs and edge cases', () => {
  it('tensor ([0,1] and [0,255], rank 3 and 4), ImageArray and ImageData inputs agree', async () => {
    const img = await readImage(path.join(dir(), 'head_hr.png'));
    const sr = await readImage(path.join(dir(), 'head_bicubic_x4.png'));
    const ref = await psnr(img, sr, { cropBorder: 4 });
    const t01 = tf.div(tf.tensor4d(Float32Array.from(sr.data), [1, sr.height, sr.width, 3]), 255);
    const t255 = tf.tensor3d(Float32Array.from(sr.data), [sr.height, sr.width, 3]);
    expect(await expectNoLeak(() => psnr(img, t01, { cropBorder: 4 }))).toBeCloseTo(ref, 9);
    expect(await psnr(img, t255, { cropBorder: 4, range: 255 })).toBeCloseTo(ref, 9);
    const rgba = new Uint8ClampedArray(sr.width * sr.height * 4);
    for (let i = 0; i < sr.width * sr.height; i++) {
      rgba.set(sr.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = 255;
    }
    expect(await psnr(img, { width: sr.width, height: sr.height, data: rgba }, { cropBorder: 4 })).toBeCloseTo(ref, 9);
    tf.dispose([t01, t255]);
  });

  it('identical images: PSNR = +Infinity, SSIM = 1', async () => {
    const p = path.join(dir(), 'bird_lr_x4.png');
    expect(await psnr(p, p)).toBe(Infinity);
    expect(await ssim(p, p)).toBe(1);
    expect(await ssim(p, p, { yChannel: true })).toBe(1);
  });

  it('rgbToY gives 16 for black and 235 for white', () => {
    const y = rgbToY({ data: Float64Array.from([0, 0, 0, 255, 255, 255]), height: 1, width: 2, channels: 3 });
    expect(y.data[0]).toBeCloseTo(16, 4);
    expect(y.data[1]).toBeCloseTo(235, 4);
  });

  it('clear errors: size mismatch, Y of gray, NaN, too small for SSIM, bad crop', async () => {
    const a = tf.zeros([16, 16, 3]);
    const b = tf.zeros([16, 15, 3]);
    const g = tf.zeros([16, 16, 1]);
    const n = tf.fill([16, 16, 3], NaN);
    await expect(psnr(a, b)).rejects.toThrow(/differ in size/);
    await expect(psnr(g, g, { yChannel: true })).rejects.toThrow(/RGB/);
    await expect(psnr(a, n)).rejects.toThrow(/NaN/);
    await expect(psnr(a, n, { quantize: false })).rejects.toThrow(/NaN/);
    await expect(ssim(a, a, { cropBorder: 4 })).rejects.toThrow(/at least 11×11/);
    await expect(psnr(a, a, { cropBorder: 8 })).rejects.toThrow(/leaves nothing/);
    await expect(psnr('/nonexistent.png', a)).rejects.toThrow(/cannot read/);
    tf.dispose([a, b, g, n]);
  });
});
