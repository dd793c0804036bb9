import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readImage } from '@sr/core';
import { createLpips, diversityScore } from '@sr/metrics';
import { describeBackends, goldenRoot, sharedRoot } from '@sr/testkit';
import { createLarSR } from '@sr/lar-sr';

// Issue acceptance: a NTIRE diversity-score run through @sr/metrics on 10 samples. No official LAR-SR
// checkpoint exists, so this uses the golden fixture's small random-weight models (x_c = the bicubic
// ×4 of a Set5 LR image, GT = its HR); the number only shows the pipeline end to end, not quality.
describeBackends('diversity score of 10 samples', () => {
  test('10 seeded samples differ and give a finite NTIRE diversity score', async () => {
    const golden = goldenRoot();
    const lar = await createLarSR({
      weights: { vqvae: path.join(golden, 'larsr_vqvae', 'weights.pth'), lar: path.join(golden, 'larsr_lar', 'weights.pth') },
    });
    const w = path.join(sharedRoot(), 'weights');
    const lpips = await createLpips({ net: 'alex', backboneWeights: path.join(w, 'torchvision', 'alexnet-features.pth'), linWeights: path.join(w, 'lpips', 'v0.1', 'alex.pth') });
    const m = path.join(sharedRoot(), 'fixtures', 'metrics');
    const crop = (t: tf.Tensor4D) => tf.slice(t, [0, 0, 0, 0], [1, 48, 48, 3]);
    const load = async (f: string) => {
      const img = await readImage(path.join(m, f));
      const t = tf.tensor4d(Float32Array.from(img.data, (v) => v / 255), [1, img.height, img.width, img.channels]);
      const c = crop(t);
      t.dispose();
      return c;
    };
    const coarse = await load('baby_bicubic_x4.png');
    const gt = await load('baby_hr.png');
    const samples = await lar.sample(coarse, { count: 10, seed: 0 });
    const ts = samples.map((s) => s.toTensor());
    const res = await diversityScore(ts, gt, { lpips });
    console.log(`LAR-SR (golden random weights) diversity score on 10 samples, 48×48 crop of Set5 baby: ${res.score.toFixed(3)}% (LPIPS mean ${res.lpipsMean.toFixed(4)}, global-min ${res.lpipsGlMin.toFixed(4)}, local ${res.lpipsLoc.toFixed(4)})`);
    expect(Number.isFinite(res.score)).toBe(true);
    expect(res.score).toBeGreaterThan(0);
    samples.forEach((s) => s.dispose());
    tf.dispose([coarse, gt, ...ts]);
    lpips.dispose();
    lar.dispose();
  });
});
