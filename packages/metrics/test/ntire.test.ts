import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@sr/core';
import { sharedRoot } from '@sr/testkit';
import { createLpips, diversityScore, lrPsnr, ntireScores, psnr, type Lpips } from '../src/index.js';

const root = () => {
  const d = path.join(sharedRoot(), 'fixtures', 'ntire');
  if (!fs.existsSync(path.join(d, 'expected.json'))) throw new Error(`fixture missing: ${d}/expected.json (put ../shared beside the repository)`);
  return d;
};
const expected = () => JSON.parse(fs.readFileSync(path.join(root(), 'expected.json'), 'utf8'));
const weights = (f: string) => {
  const p = path.join(sharedRoot(), 'weights', f);
  if (!fs.existsSync(p)) throw new Error(`weights missing: ${p}`);
  return p;
};
const files = (name: string) => {
  const e = expected().images[name];
  return { gt: path.join(root(), e.files.gt), samples: e.files.samples.map((f: string) => path.join(root(), f)) as string[], e };
};

describe('LR-PSNR (NTIRE 2021 scorer, uint8 per-pass imresize)', () => {
  for (const name of ['bird', 'butterfly'])
    it(`${name}: every sample within 0.01 dB`, async () => {
      const { gt, samples, e } = files(name);
      for (let i = 0; i < samples.length; i++) {
        const v = await lrPsnr(samples[i]!, gt, expected().scale);
        expect(Math.abs(v - e.lr_psnr_per_sample[i])).toBeLessThan(0.01);
      }
    });

  it('with an LR reference: compares imresize(sr) with the LR directly; identical → +Infinity', async () => {
    const { gt } = files('bird');
    const lr = path.join(root(), 'bird', 'lr_x4.png');
    const v = await lrPsnr(gt, lr, 4);
    expect(Number.isFinite(v) && v > 30).toBe(true);
    expect(await lrPsnr(gt, gt, 4)).toBe(Infinity);
    await expect(lrPsnr(gt, gt, 0)).rejects.toThrow(/scale/);
  });
});

// The LPIPS maps of 10 samples at 256–288 px take minutes on the pure-JS CPU backend; the WASM
// backend (inference-only, fine here) runs them in seconds. SR_NTIRE_BACKEND overrides.
describe('diversity score (NTIRE 2021, LPIPS-alex spatial maps)', () => {
  let lpips: Lpips;
  let prev: string;
  beforeAll(async () => {
    prev = tf.getBackend();
    await initBackend((process.env.SR_NTIRE_BACKEND as 'wasm' | 'cpu') ?? 'wasm');
    lpips = await createLpips({ net: 'alex', backboneWeights: weights('torchvision/alexnet-features.pth'), linWeights: weights('lpips/v0.1/alex.pth') });
  });
  afterAll(async () => {
    lpips?.dispose();
    await initBackend(prev as 'cpu');
  });

  for (const name of ['bird', 'butterfly'])
    it(`${name}: score within 0.05, LPIPS within 1e-4, LR-PSNR within 0.01 dB`, async () => {
      const { gt, samples, e } = files(name);
      const before = tf.memory().numTensors;
      const r = await ntireScores(samples, gt, { lpips, scale: expected().scale });
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(r.score - e.score)).toBeLessThan(0.05);
      expect(Math.abs(r.LPIPS_mean - e.LPIPS_mean)).toBeLessThan(1e-4);
      expect(Math.abs(r.lpipsGlMin - e.lpips_gl_min)).toBeLessThan(1e-4);
      expect(Math.abs(r.lpipsLoc - e.lpips_loc)).toBeLessThan(1e-4);
      r.lpipsGlobal.forEach((v, i) => expect(Math.abs(v - e.lpips_global_per_sample[i])).toBeLessThan(1e-4));
      expect(Math.abs(r.LRPSNR_mean - e.LRPSNR_mean)).toBeLessThan(0.01);
      expect(Math.abs(r.LRPSNR_worst - e.LRPSNR_worst)).toBeLessThan(0.01);
      console.log(`${name}: score ${r.score} (ref ${e.score}), LPIPS_mean ${r.LPIPS_mean} (ref ${e.LPIPS_mean})`);
    });

  it('identical samples give score 0; errors for small samples and no samples', async () => {
    const { gt } = files('butterfly');
    const tiny = tf.zeros([8, 8, 3]);
    await expect(diversityScore([], gt, { lpips })).rejects.toThrow(/at least one/);
    await expect(diversityScore([tiny], gt, { lpips })).rejects.toThrow(/smaller than the cropped GT/);
    const x = tf.randomUniform([40, 40, 3], 0, 1, 'float32', 3);
    const y = tf.randomUniform([40, 40, 3], 0, 1, 'float32', 4);
    const r = await diversityScore([x, x, x], y, { lpips });
    expect(Math.abs(r.score)).toBeLessThan(1e-9);
    expect(await psnr(x, x)).toBe(Infinity);
    tf.dispose([tiny, x, y]);
  });
});
