import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, imageToTensor, initBackend, readImage } from '@sr/core';
import { sharedRoot } from '@sr/testkit';
import {
  CLSR,
  useFastCpuConvGradients,
  clsrLoss,
  disposePair,
  lambdaAt,
  makeTrainImage,
  mulberry32,
  samplePair,
  splitBackboneParams,
  trainStep,
  trainStepGrouped,
  type TrainImage,
} from '../src/index.js';

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
  it('trainStepGrouped: one group equals trainStep; a group at lr 0 stays unchanged; no leaks', async () => {
    const full = await photo('astronaut');
    const hr = tf.slice(full, [0, 128, 128, 0], [1, 96, 96, 3]) as tf.Tensor4D;
    full.dispose();
    const img: TrainImage = makeTrainImage(hr, 4);
    hr.dispose();
    const cfg = { backbone: 'edsr' as const, backboneConfig: { channels: 8, blocks: 2 }, padding: 2, numPatches: 4, gcmStages: 1 };
    const a = new CLSR(cfg);
    const b = new CLSR(cfg);
    b.loadStateDict(await a.stateDict());
    const [optA, optB, optFrozen] = [tf.train.adam(1e-3), tf.train.adam(1e-3), tf.train.adam(0)];
    const parts = splitBackboneParams(b);
    expect(parts.backbone.length).toBeGreaterThan(0);
    expect(parts.modules.length).toBeGreaterThan(0);
    const [ra, rb, data] = [mulberry32(5), mulberry32(5), mulberry32(6)];
    for (let step = 0; step < 3; step++) {
      const pair = samplePair(img, 16, 8, data);
      const la = await trainStep(a, optA, [pair], 0.5, ra);
      const all = [{ optimizer: optB, variables: [...parts.backbone, ...parts.modules] }];
      const lb = step === 0 ? await trainStepGrouped(b, all, [pair], 0.5, rb) : await expectNoLeak(() => trainStepGrouped(b, all, [pair], 0.5, rb), 0, `grouped step ${step}`);
      expect(lb).toBeCloseTo(la, 5);
      disposePair(pair);
    }
    const sa = await a.stateDict();
    const sb = await b.stateDict();
    for (const k of Object.keys(sa)) {
      const [x, y] = [sa[k].data as Float32Array, sb[k].data as Float32Array];
      expect(Math.max(0, ...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-6);
    }
    // A second model: the backbone in a group at lr 0 must not move while the modules do.
    const c = new CLSR(cfg);
    const pc = splitBackboneParams(c);
    const before = await Promise.all(pc.backbone.map((v) => v.data()));
    const pair = samplePair(img, 16, 8, data);
    const optModules = tf.train.adam(1e-2);
    await trainStepGrouped(c, [{ optimizer: optFrozen, variables: pc.backbone }, { optimizer: optModules, variables: pc.modules }], [pair], 0.5, mulberry32(1));
    const after = await Promise.all(pc.backbone.map((v) => v.data()));
    after.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(before[i])));
    disposePair(pair);
    tf.dispose([img.lr, img.hr]);
    [optA, optB, optFrozen, optModules].forEach((o) => o.dispose());
    [a, b, c].forEach((m) => m.dispose());
  });
});
