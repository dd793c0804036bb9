import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  HELD_OUT_PHOTOS,
  LIIF,
  TRAINING_PHOTO_FOLDERS,
  createBackbone,
  createRng,
  disposeBatch,
  ensureGradients,
  expectNoLeak,
  l1Loss,
  l1TrainStep,
  listTrainingPhotos,
  readImage,
  sampleImplicitBatch,
  setLearningRate,
  stepDecay,
  trainImplicit,
  toTrainImage,
  type TrainImage,
} from '@sr/core';
import { describeBackends, sharedRoot } from '@sr/testkit';

async function photos(): Promise<TrainImage[]> {
  const dir = path.join(sharedRoot(), 'datasets', 'photos');
  if (!fs.existsSync(dir)) throw new Error(`training photos missing: ${dir} (expected ../shared beside the repository)`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
  if (!files.length) throw new Error(`no PNG photos in ${dir}`);
  return Promise.all(files.map(async (f) => toTrainImage(await readImage(path.join(dir, f)))));
}

describe('training utilities (pure JS)', () => {
  test('createRng is deterministic, uniform-ish, and choice draws distinct values', async () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    expect(createRng(43).next()).not.toBe(createRng(42).next());
    const pick = createRng(1).choice(100, 40);
    expect(new Set(pick).size).toBe(40);
    expect(Math.max(...pick)).toBeLessThan(100);
    const r = createRng(7);
    for (let i = 0; i < 200; i++) {
      const v = r.randint(3, 5);
      expect(v >= 3 && v <= 5 && Number.isInteger(v)).toBe(true);
    }
  });

  test('stepDecay halves at the milestones (LIIF: 1e-4, epochs 200/400/600/800)', async () => {
    const lr = stepDecay({ initial: 1e-4, milestones: [200, 400, 600, 800] });
    expect([0, 199, 200, 399, 400, 800, 999].map(lr)).toEqual([1e-4, 1e-4, 5e-5, 5e-5, 2.5e-5, 6.25e-6, 6.25e-6]);
    const opt = tf.train.adam(1e-4);
    setLearningRate(opt, 5e-5);
    expect((opt as unknown as { learningRate: number }).learningRate).toBe(5e-5);
    opt.dispose();
  });
});

describeBackends('training', () => {
  let images: TrainImage[];
  beforeAll(async () => {
    await ensureGradients();
    images = await photos();
  });

  test('integerScaleProb: integer scales 2…4 when 1; the official stream unchanged when 0', async () => {
    const opts = { batchSize: 8, inpSize: 8, sampleQ: 16 };
    const all = sampleImplicitBatch(images, createRng(7), { ...opts, integerScaleProb: 1 });
    expect(all.scales.every((s) => Number.isInteger(s) && s >= 2 && s <= 4)).toBe(true);
    const zero = sampleImplicitBatch(images, createRng(7), { ...opts, integerScaleProb: 0 });
    const none = sampleImplicitBatch(images, createRng(7), opts);
    expect(zero.scales).toEqual(none.scales);
    expect(() => sampleImplicitBatch(images, createRng(7), { ...opts, integerScaleProb: 2 })).toThrow(/integerScaleProb/);
    for (const b of [all, zero, none]) tf.dispose([b.inp, b.coord, b.cell, b.gt]);
  });

  test('random-scale crop sampler follows the LIIF protocol and is reproducible', async () => {
    const opts = { batchSize: 3, inpSize: 16, sampleQ: 200 };
    const b1 = sampleImplicitBatch(images, createRng(5), opts);
    const b2 = sampleImplicitBatch(images, createRng(5), opts);
    expect(b1.inp.shape).toEqual([3, 16, 16, 3]);
    expect(b1.coord.shape).toEqual([3, 200, 2]);
    expect(b1.cell.shape).toEqual([3, 200, 2]);
    expect(b1.gt.shape).toEqual([3, 200, 3]);
    expect(Array.from((await b1.gt.data()))).toEqual(Array.from((await b2.gt.data())));
    const cell = (await b1.cell.array()) as number[][][];
    const coord = (await b1.coord.array()) as number[][][];
    b1.scales.forEach((s, n) => {
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThan(4);
      const wHr = Math.round(16 * s); // ties are measure-zero here
      expect(cell[n][0][0]).toBeCloseTo(2 / wHr, 6);
      for (const [y, x] of coord[n]) {
        // pixel centres of the wHr grid: (y + 1)·wHr/2 − 0.5 is an integer
        expect(Math.abs((y + 1) * wHr / 2 - 0.5 - Math.round((y + 1) * wHr / 2 - 0.5))).toBeLessThan(1e-3);
        expect(Math.abs(x)).toBeLessThan(1);
      }
    });
    const v = (await b1.inp.data());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    disposeBatch(b1);
    disposeBatch(b2);
  });

  test('a few L1 steps of a small LIIF lower the loss, leak-free per step', async () => {
    // tiny on purpose: tfjs's CPU Conv2DBackpropFilter is very slow (per-element TensorBuffer.get)
    const model = new LIIF(createBackbone('edsr-baseline', { nResblocks: 1, nFeats: 8 }), { hiddenList: [32, 32] });
    const rng = createRng(1234);
    const opts = { batchSize: 2, inpSize: 12, sampleQ: 144 };
    const evalBatch = sampleImplicitBatch(images, createRng(99), { ...opts, batchSize: 6 });
    const evalLoss = async () => {
      const l = l1Loss(model, evalBatch);
      const v = (await l.data())[0];
      l.dispose();
      return v;
    };
    const before = await evalLoss();
    const optimizer = tf.train.adam(3e-3);
    const schedule = stepDecay({ initial: 3e-3, milestones: [15] });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      setLearningRate(optimizer, schedule(step));
      const batch = sampleImplicitBatch(images, rng, opts);
      // the first step creates Adam's moment variables; every later step must leave nothing behind
      const loss = step === 0 ? await l1TrainStep(model, optimizer, batch) : await expectNoLeak(() => l1TrainStep(model, optimizer, batch), 0, `step ${step}`);
      disposeBatch(batch);
      expect(Number.isFinite(loss)).toBe(true);
      losses.push(loss);
    }
    const after = await evalLoss();
    console.log(`small LIIF: eval L1 ${before.toFixed(4)} → ${after.toFixed(4)}; train losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    expect(after).toBeLessThan(before * 0.8);
    disposeBatch(evalBatch);
    optimizer.dispose();
    model.dispose();
  });

  test('trainImplicit runs the loop and leaves no tensors behind', async () => {
    const model = new LIIF(createBackbone('edsr-baseline', { nResblocks: 1, nFeats: 4 }), { hiddenList: [16] });
    const progress: number[] = [];
    const losses = await expectNoLeak(
      () => trainImplicit(model, images, { steps: 2, batchSize: 1, inpSize: 8, sampleQ: 32, rng: 3, onProgress: (p) => progress.push(p.done) }),
      0,
      'trainImplicit',
    );
    expect(losses).toHaveLength(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(progress).toEqual([1, 2]);
    model.dispose();
  });
});

describe('training photo lists of the built-in models', () => {
  it('listTrainingPhotos lists the PNGs of the training folders, sorted per folder, held-out photos left out', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-train-photos-'));
    try {
      const put = (rel: string) => {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), '');
      };
      ['photos/b.png', 'photos/a.PNG', 'photos/notes.txt', 'train/kodak/kodim01.png', 'train/wikimedia/001.png', ...HELD_OUT_PHOTOS].forEach(put);
      expect(listTrainingPhotos(root).map((f) => path.relative(root, f).split(path.sep).join('/'))).toEqual([
        'photos/a.PNG',
        'photos/b.png',
        'train/kodak/kodim01.png',
        'train/wikimedia/001.png',
      ]);
      fs.rmSync(path.join(root, 'train/wikimedia'), { recursive: true });
      expect(() => listTrainingPhotos(root)).toThrow(/training folder not found: .*wikimedia/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    expect(TRAINING_PHOTO_FOLDERS).toEqual(['photos', 'train/kodak', 'train/wikimedia']);
    expect(HELD_OUT_PHOTOS[0]).toBe('train/kodak/kodim23.png');
    expect(Object.isFrozen(HELD_OUT_PHOTOS)).toBe(true);
  });
});
