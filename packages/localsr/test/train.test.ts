import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, imageToTensor, initBackend, readImage } from '@sr/core';
import { sharedRoot } from '@sr/testkit';
import { CLSR, useFastCpuConvGradients, clsrLoss, disposePair, lambdaAt, makeTrainImage, mulberry32, samplePair, trainStep, type TrainImage } from '../src/index.js';

/** The HR photo `name` from ../shared/datasets/photos as `[1, H, W, 3]`; fails clearly when missing. */
async function photo(name: string): Promise<tf.Tensor4D> {
  const file = path.join(sharedRoot(), 'datasets', 'photos', `${name}.png`);
  if (!fs.existsSync(file)) throw new Error(`missing test photo ${file} (the shared datasets are required for this test)`);
  return imageToTensor(await readImage(file), { alpha: 'drop' });
}

describe('CLSR training (cpu)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
    useFastCpuConvGradients(); // the stock cpu filter-gradient kernel is ~500× slower (see src/cpu-conv-grad.ts)
  });

  it('a short run of the paper protocol (centred ROI, two-term loss, decaying λ) lowers the loss, with no leaks', async () => {
    const full = await photo('astronaut');
    const hr = tf.slice(full, [0, 128, 128, 0], [1, 192, 192, 3]) as tf.Tensor4D;
    full.dispose();
    const img: TrainImage = makeTrainImage(hr, 4);
    hr.dispose();
    const model = new CLSR({ backbone: 'edsr', backboneConfig: { channels: 8, blocks: 2 }, padding: 2, numPatches: 4, gcmStages: 1 });
    // Gates start at 0 (backbone unchanged at init); open them a little so the ROI loss reaches the PIM at once.
    tf.tidy(() => model.pim?.gate?.assign(tf.fill(model.pim.gate.shape, 0.1)));
    const evalRng = mulberry32(99);
    const evalPairs = Array.from({ length: 4 }, () => samplePair(img, 16, 8, evalRng));
    const evalLoss = async () => {
      const l = tf.tidy(() => tf.addN(evalPairs.map((p) => clsrLoss(model, p, 0))));
      const v = (await l.data())[0] / evalPairs.length;
      l.dispose();
      return v;
    };
    const before = await evalLoss();
    const opt = tf.train.adam(2e-3);
    const rng = mulberry32(1);
    const steps = 16;
    for (let step = 0; step < steps; step++) {
      const pair = samplePair(img, 16, 8, rng);
      const run = () => trainStep(model, opt, [pair], lambdaAt(step, steps), rng);
      // The first step creates Adam's slot variables; every later step must leave the tensor count unchanged.
      if (step === 0) await run();
      else await expectNoLeak(run, 0, `train step ${step}`);
      disposePair(pair);
    }
    const after = await evalLoss();
    expect(after).toBeLessThan(before * 0.8);
    evalPairs.forEach(disposePair);
    tf.dispose([img.lr, img.hr]);
    opt.dispose();
    model.dispose();
  });
});
