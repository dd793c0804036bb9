import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { InputError, expectNoLeak, readCheckpoint, type StateDict } from '@sr/core';
import { describeBackends, goldenRoot, maxAbsDiff } from '@sr/testkit';
import { MatlabCem, VSPSR, createVSpSR, type SrImage, type VSpSR } from '../src/index.js';

const weightsPath = () => {
  const f = path.join(goldenRoot(), 'vspsr_x4', 'weights.pth');
  if (!fs.existsSync(f)) throw new Error(`missing fixture ${f}`);
  return f;
};

const disposeAll = (xs: SrImage[]) => xs.forEach((x) => x.dispose());

describeBackends('createVSpSR / sample', () => {
  let lr: tf.Tensor4D;
  let v: VSpSR;
  beforeAll(async () => {
    lr = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    v = await createVSpSR({ weights: weightsPath(), scale: 4 });
  });
  afterAll(() => {
    lr.dispose();
    v.dispose();
  });

  test('same seed → identical samples, different seeds differ; prefix-stable across counts; no leaks', async () => {
    expect(v.scale).toBe(4);
    const a = await expectNoLeak(() => v.sample(lr, { count: 2, seed: 5, cem: false }), 2);
    const b = await expectNoLeak(() => v.sample(lr, { count: 1, seed: 5, cem: false }), 1);
    const c = await v.sample(lr, { count: 1, seed: 6, cem: false });
    await expect(v.sample(lr, { count: 1e9 })).rejects.toMatchObject({ code: 'E_OPTION' });
    expect(a).toHaveLength(2);
    expect((await a[0].toImageArray()).width).toBe(64);
    const [t0, t1, u0, w0] = [a[0].toTensor(), a[1].toTensor(), b[0].toTensor(), c[0].toTensor()];
    expect(t0.shape).toEqual([1, 64, 64, 3]);
    expect(await maxAbsDiff(t0, u0)).toBe(0);
    expect(await maxAbsDiff(t0, t1)).toBeGreaterThan(1e-3);
    expect(await maxAbsDiff(t0, w0)).toBeGreaterThan(1e-3);
    tf.dispose([t0, t1, u0, w0]);
    disposeAll([...a, ...b, ...c]);
  });

  test('temperature 0 gives the posterior mean for every seed', async () => {
    const [a] = await v.sample(lr, { seed: 1, temperature: 0, cem: false });
    const [b] = await v.sample(lr, { seed: 2, temperature: 0, cem: false });
    const [ta, tb] = [a.toTensor(), b.toTensor()];
    expect(await maxAbsDiff(ta, tb)).toBe(0);
    tf.dispose([ta, tb]);
    disposeAll([a, b]);
  });

  test("cem: 'matlab' (default) makes samples LR-consistent under MATLAB bicubic; 'opencv' runs the official CEM", async () => {
    const sd: StateDict = await readCheckpoint(weightsPath());
    const fromSd = await createVSpSR({ weights: sd });
    // The LR must be reachable by a [0,1] image for the clip loop to converge: take a real downscale.
    const check = new MatlabCem(4);
    const hr = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
    const smooth = tf.tidy(() => tf.image.resizeBilinear(tf.image.resizeBilinear(hr, [16, 16]), [64, 64])) as tf.Tensor4D;
    const y = await check.downscale(smooth);
    const samples = await expectNoLeak(() => fromSd.sample(y, { count: 2, seed: 0 }), 2);
    for (const s of samples) {
      const t = s.toTensor();
      const d = await check.downscale(t);
      // Clip → project rounds stop at an RMS residual of 0.05/255 (well below uint8 rounding).
      const [a, b] = [await d.data(), await y.data()];
      let ss = 0;
      for (let i = 0; i < a.length; i++) ss += (a[i] - b[i]) ** 2;
      expect(Math.sqrt(ss / a.length)).toBeLessThan(0.06 / 255);
      expect(await maxAbsDiff(d, y)).toBeLessThan(1 / 255);
      tf.dispose([t, d]);
    }
    const official = await fromSd.sample(y, { count: 1, seed: 0, cem: 'opencv' });
    expect(official[0].height).toBe(64);
    const png = await samples[0].toPNG();
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const id = await samples[0].toImageData();
    expect([id.width, id.height, id.data.length]).toEqual([64, 64, 64 * 64 * 4]);
    disposeAll([...samples, ...official]);
    tf.dispose([hr, smooth, y]);
    check.dispose();
    fromSd.dispose();
  });

  test('errors: wrong scale, small image, bad options, non-VSpSR weights', async () => {
    await expect(createVSpSR({ weights: weightsPath(), scale: 8 })).rejects.toThrow(/×4 model/);
    await expect(createVSpSR({ weights: { 'conv.weight': { dtype: 'float32', shape: [1], data: new Float32Array(1) } } })).rejects.toThrow(InputError);
    const w = await createVSpSR({ weights: weightsPath() });
    const small = tf.zeros([1, 8, 8, 3]);
    await expect(w.sample(small)).rejects.toThrow(/at least 16/);
    await expect(w.sample(lr, { count: 0 })).rejects.toThrow(/count/);
    await expect(w.sample(lr, { cem: 'bicubic' as never })).rejects.toThrow(/cem/);
    const nan = tf.fill([1, 16, 16, 3], NaN);
    await expect(w.sample(nan)).rejects.toThrow(/NaN/);
    tf.dispose([small, nan]);
    w.dispose();
    await expect(w.sample(lr)).rejects.toThrow(/dispose/);
  });

  test('abort signal stops between samples', async () => {
    const ac = new AbortController();
    const before = tf.memory().numTensors;
    const p = v.sample(lr, { count: 5, cem: false, signal: ac.signal, onProgress: (e) => e.stage === 'sample' && e.done === 1 && ac.abort() });
    await expect(p).rejects.toThrow(/abort/i);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('accepts a bare VSPSR state dict built in TS (round trip through stateDict)', async () => {
    const m = new VSPSR({ scale: 8, nBasis: 8, upsample: true, mode: 'bicubic' });
    const sd = await m.stateDict();
    m.dispose();
    const v8 = await createVSpSR({ weights: sd, scale: 8 });
    const out = await v8.sample(lr, { count: 1, cem: false });
    expect([out[0].height, out[0].width]).toEqual([128, 128]);
    disposeAll(out);
    v8.dispose();
  });
});
