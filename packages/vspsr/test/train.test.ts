import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@sr/core';
import { describeBackends } from '@sr/testkit';
import { VSPSR, createNormalRng, createVSpSRTrainer, disposeRecord, vspsrLoss } from '../src/index.js';

/** Deterministic PyTorch-like init (U(±1/√fan_in) from a seeded RNG), so the test is not flaky. */
async function seedParameters(m: VSPSR, seed: number): Promise<void> {
  const rng = createNormalRng(seed);
  const sd = await m.stateDict();
  for (const t of Object.values(sd)) {
    const fanIn = t.shape.length > 1 ? t.shape.slice(1).reduce((a, b) => a * b, 1) : 16;
    const b = 1 / Math.sqrt(fanIn);
    t.data = Float32Array.from(t.data as Float32Array, () => (2 * rng.uniform() - 1) * b);
  }
  m.loadStateDict(sd);
}

describeBackends('training', () => {
  test('loss = MSE + 0.1·mean(KL_w) (+ hooks with their weights)', async () => {
    const m = new VSPSR({ scale: 4, nBasis: 8, upsample: true });
    const lr = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const hr = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const enc = m.vspm.encode(lr);
    const out = m.vspm.decode(enc);
    const t = vspsrLoss(out, hr, {}, { generator: () => tf.scalar(2), content: () => tf.scalar(3) });
    const [total, mse, kl] = await Promise.all([t.total.data(), t.mse.data(), t.klW!.data()]);
    expect(total[0]).toBeCloseTo(mse[0] + 0.1 * kl[0] + 0.1 * 2 + 0.01 * 3, 4);
    tf.dispose(Object.values(t).filter((x): x is tf.Scalar => x !== null));
    disposeRecord(enc);
    disposeRecord(out);
    tf.dispose([lr, hr]);
    m.dispose();
  });

  test('Adam steps lower the loss and leak nothing', async () => {
    await ensureGradients();
    const m = new VSPSR({ scale: 4, nBasis: 4, upsample: true });
    await seedParameters(m, 1);
    // Smallest input the basis branch accepts (16×16 LR); a smooth HR target and its box ↓4.
    const hr = tf.tidy(() => tf.image.resizeBilinear(tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 3), [64, 64], false, true)) as tf.Tensor4D;
    const lr = tf.tidy(() => tf.avgPool(hr, 4, 4, 'valid')) as tf.Tensor4D;
    const trainer = createVSpSRTrainer(m, { learningRate: 1e-3, clipNorm: 1, seed: 0 });
    const first = await trainer.step(lr, hr);
    const before = tf.memory().numTensors; // Adam's slots exist after the first step
    const last = await trainer.step(lr, hr);
    expect(tf.memory().numTensors).toBe(before);
    console.log(`loss ${first.total.toFixed(4)} → ${last.total.toFixed(4)} (mse ${first.mse.toFixed(4)} → ${last.mse.toFixed(4)})`);
    expect(last.mse).toBeLessThan(first.mse);
    expect(last.total).toBeLessThan(first.total);
    expect(Number.isFinite(last.gradNorm)).toBe(true);
    trainer.dispose();
    tf.dispose([lr, hr]);
    m.dispose();
  });
});
