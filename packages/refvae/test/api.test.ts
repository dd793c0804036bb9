import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, initBackend, readCheckpoint, StateDictMismatchError, type StateDict } from '@sr/core';
import { maxAbsDiff, openCase, requireGoldenDir } from '@sr/testkit';
import { createRefVAE, type RefVAE } from '../src/index.js';

// Behaviour of the public API on the golden fixture's weights (random VGG). Runs on WASM when it is
// available (the 256² VGG pass costs minutes on the pure-JS CPU backend), else on CPU with small
// reference sizes. Parity of every intermediate on cpu/webgpu is golden.test.ts's job.
const dir = requireGoldenDir('refvae_x8');
const nhwc = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
let model: RefVAE;
let encSd: StateDict;
let vaeSd: StateDict;
let lr: tf.Tensor4D;

beforeAll(async () => {
  try {
    await initBackend('wasm');
  } catch {
    await initBackend('cpu');
  }
  encSd = await readCheckpoint(path.join(dir, 'weights_enc.pth.gz'));
  vaeSd = await readCheckpoint(path.join(dir, 'weights_vae.pth.gz'));
  model = await createRefVAE({ weights: { encoder: path.join(dir, 'weights_enc.pth.gz'), vae: vaeSd } });
  lr = nhwc(openCase('refvae_x8').tensor('lr'));
});
afterAll(() => {
  model?.dispose();
  lr?.dispose();
});

const values = async (r: { toTensor(o?: { clamp?: boolean }): tf.Tensor4D }) => {
  const t = r.toTensor({ clamp: false });
  const v = await t.data();
  t.dispose();
  return v as Float32Array;
};

test('a given z reproduces the official forward (z_q path) within 1e-4', async () => {
  const ctx = openCase('refvae_x8');
  for (const [zFile, srFile] of [['z', 'sr'], ['z_prior', 'sr_prior']]) {
    const z = ctx.tensor(zFile);
    const want = nhwc(ctx.tensor(srFile));
    const [r] = await model.upscale(lr, { z });
    expect(r.source).toBe('z');
    const got = r.toTensor({ clamp: false });
    expect(got.shape).toEqual([1, 64, 64, 3]);
    expect(await maxAbsDiff(got, want)).toBeLessThan(1e-4);
    tf.dispose([z, want, got]);
    r.dispose();
  }
});

test('same reference + seed → identical; other seed or reference → different; no leaks', async () => {
  const refA = tf.randomUniform([1, 40, 48, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const refB = tf.randomUniform([1, 40, 48, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const run = (reference: tf.Tensor4D, seed: number) =>
    expectNoLeak(async () => {
      const rs = await model.upscale(lr, { reference, seed, referenceSize: 64 });
      const v = await values(rs[0]);
      rs.forEach((r) => r.dispose());
      return v;
    });
  const a1 = await run(refA, 0);
  const a2 = await run(refA, 0);
  const a3 = await run(refA, 1);
  const b1 = await run(refB, 0);
  expect(await maxAbsDiff(a1, a2)).toBe(0);
  expect(await maxAbsDiff(a1, a3)).toBeGreaterThan(1e-4);
  expect(await maxAbsDiff(a1, b1)).toBeGreaterThan(1e-4);
  tf.dispose([refA, refB]);
});

test('noise, self and prior modes give count distinct samples of the right size', async () => {
  for (const reference of ['noise', 'self', 'prior'] as const) {
    const rs = await expectNoLeak(() => model.upscale(lr, { reference, count: 2, seed: 3, referenceSize: 32 }), 2);
    expect(rs).toHaveLength(2);
    expect(rs.map((r) => r.source)).toEqual([reference, reference]);
    expect([rs[0].height, rs[0].width]).toEqual([64, 64]);
    const [v0, v1] = [await values(rs[0]), await values(rs[1])];
    expect(await maxAbsDiff(v0, v1)).toBeGreaterThan(1e-5);
    const img = await rs[0].toImageData();
    expect(img.data.length).toBe(64 * 64 * 4);
    const png = await rs[0].toPNG();
    expect(Array.from(png.slice(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    rs.forEach((r) => r.dispose());
  }
});

test('clear errors: missing or mismatched VGG weights, bad z, bad LR size', async () => {
  await expect(createRefVAE({ weights: { encoder: undefined as never, vae: vaeSd } })).rejects.toThrow(/vgg_r41\.pth/);
  const wrong = await createRefVAE({ weights: { encoder: vaeSd, vae: vaeSd } }).catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(StateDictMismatchError);
  expect(String((wrong as Error).message)).toMatch(/vgg_r41\.pth/);
  const bad = { ...encSd, 'conv10.weight': { ...encSd['conv10.weight'], shape: [512, 256, 1, 9] } };
  await expect(createRefVAE({ weights: { encoder: bad, vae: vaeSd } })).rejects.toThrow(/conv10\.weight expected \[512,256,3,3\]/);
  await expect(createRefVAE({ weights: { encoder: path.join(dir, 'nope.pth'), vae: vaeSd } })).rejects.toThrow(/vgg_r41\.pth/);
  await expect(model.upscale(lr, { z: new Float32Array(10) })).rejects.toThrow(/z must have shape/);
  await expect(expectNoLeak(() => model.upscale(lr, { count: 1e9 }).catch((e: unknown) => e))).resolves.toMatchObject({ code: 'E_OPTION' });
  const tiny = tf.zeros([1, 1, 1, 3]);
  await expect(expectNoLeak(() => model.upscale(tiny).catch((e: unknown) => e))).resolves.toBeInstanceOf(Error);
  tiny.dispose();
});

test('the ×4 model (VAE_v3_4x) upsamples by 4 and needs even LR sides', async () => {
  const m4 = await createRefVAE({ weights: { encoder: encSd, vae: vaeSd }, scale: 4 });
  try {
    const [r] = await m4.upscale(lr, { reference: 'prior' });
    expect([r.height, r.width]).toEqual([32, 32]);
    r.dispose();
    const odd = tf.zeros([1, 7, 8, 3]);
    await expect(m4.upscale(odd, { reference: 'prior' })).rejects.toThrow(/multiples of 2/);
    odd.dispose();
  } finally {
    m4.dispose();
  }
});
