import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, expectNoLeak, initBackend, readCheckpoint } from '@sr/core';
import { describeBackends, requireGoldenDir, testBackends, webgpuUnavailable } from '@sr/testkit';
import { createLpips } from '@sr/metrics';
import { Encoder4, RefVAENet, RefVAETrainer, loadEncoderWeights, loadVaeWeights, lpipsLoss, meanStd, styleLoss, tvLoss } from '../src/index.js';

const dir = requireGoldenDir('refvae_x8');

describeBackends('losses', () => {
  test('meanStd is the official calc_mean_std (unbiased var + 1e-5, sqrt)', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 9], [1, 2, 2, 2]);
    const { mean, std } = meanStd(x);
    const m = await mean.data();
    expect(m[0]).toBeCloseTo(4, 5);
    expect(m[1]).toBeCloseTo(5.25, 5);
    // channel 0: 1,3,5,7 → var 20/3; channel 1: 2,4,6,9 → var 26.75/3
    const s = await std.data();
    expect(s[0]).toBeCloseTo(Math.sqrt(20 / 3 + 1e-5), 5);
    expect(s[1]).toBeCloseTo(Math.sqrt(26.75 / 3 + 1e-5), 5);
    const zero = styleLoss([x], [x]);
    expect((await zero.data())[0]).toBeCloseTo(0, 6);
    tf.dispose([x, mean, std, zero]);
  });

  test('lpipsLoss wires @sr/metrics LPIPS as a differentiable loss (random AlexNet weights)', async () => {
    await ensureGradients();
    const lpips = await createLpips({ net: 'alex', randomWeights: true });
    const loss = lpipsLoss(lpips);
    const a = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const b = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const same = loss(a, a);
    const diff = loss(a, b);
    expect((await same.data())[0]).toBeCloseTo(0, 6);
    expect(Math.abs((await diff.data())[0])).toBeGreaterThan(1e-6); // random lin weights may be negative
    const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor4D, b))(a);
    expect(g.shape).toEqual(a.shape);
    expect(Number.isFinite((await tf.sum(tf.abs(g)).data())[0])).toBe(true);
    tf.dispose([a, b, same, diff, g]);
    lpips.dispose();
  });

  test('tvLoss of a ramp', async () => {
    const ramp = tf.tensor4d(Array.from({ length: 9 }, (_, i) => i % 3), [1, 3, 3, 1]);
    const tv = tvLoss(ramp, 1, 'sum');
    expect((await tv.data())[0]).toBeCloseTo(4, 6); // 2×2 grid, (1² + 0²) each
    tf.dispose([ramp, tv]);
  });
});

// The full-size generator has 34M parameters: one step costs ~20 s on the pure-JS CPU backend even
// at LR 4×4, so the training steps run once, on WebGPU when it is available (the CPU reference is
// exercised by the golden and loss tests).
const trainBackend = testBackends().includes('webgpu') ? 'webgpu' : testBackends()[0];
describe(`training step [${trainBackend}]`, () => {
  let enc: Encoder4;
  let net: RefVAENet;
  beforeAll(async () => {
    const why = trainBackend === 'webgpu' ? await webgpuUnavailable() : null;
    if (why && process.env.SR_REQUIRE_WEBGPU === '1') throw new Error(`WebGPU required but unavailable: ${why}`);
    await initBackend(why ? 'cpu' : trainBackend);
    await ensureGradients();
    enc = new Encoder4();
    net = new RefVAENet(8);
    loadEncoderWeights(enc, await readCheckpoint(path.join(dir, 'weights_enc.pth.gz')));
    loadVaeWeights(net, await readCheckpoint(path.join(dir, 'weights_vae.pth.gz')));
  });
  afterAll(() => {
    enc?.dispose();
    net?.dispose();
  });

  test('loss decreases on a tiny batch, no leaks, only the generator changes', async () => {
    const hr = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const lr = tf.image.resizeBilinear(hr, [4, 4], false, true) as tf.Tensor4D;
    const ref = tf.randomUniform([1, 32, 32, 3], 0, 0.5, 'float32', 8) as tf.Tensor4D;
    const trainer = new RefVAETrainer(enc, net, { adversarial: false, learningRate: 1e-4, seed: 1 });
    const vggBefore = await enc.convs[9].weight.data();
    const losses: number[] = [];
    losses.push((await trainer.step({ lr, hr, ref })).total); // creates the Adam slots
    for (let i = 0; i < 1; i++) losses.push((await expectNoLeak(() => trainer.step({ lr, hr, ref }))).total);
    console.log(tf.getBackend(), 'RefVAE paper-preset losses', losses.map((v) => v.toFixed(4)).join(' → '));
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(Array.from(await enc.convs[9].weight.data())).toEqual(Array.from(vggBefore));
    trainer.dispose();
    tf.dispose([hr, lr, ref]);
  });

  test('official preset with the PatchGAN discriminator runs a G and a D step', async () => {
    const hr = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const lr = tf.image.resizeBilinear(hr, [4, 4], false, true) as tf.Tensor4D;
    const trainer = new RefVAETrainer(enc, net, { preset: 'official', seed: 2 });
    const r = await trainer.step({ lr, hr });
    expect(Number.isFinite(r.total)).toBe(true);
    expect(Number.isFinite(r.discriminator)).toBe(true);
    expect(Object.keys(r.terms).sort()).toEqual(['adversarial', 'content', 'featureMatching', 'kl', 'lrConsistency', 'pixel', 'style']);
    trainer.dispose();
    tf.dispose([hr, lr]);
  });
});
