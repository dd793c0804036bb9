import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, expectNoLeak } from '@sr/core';
import { describeBackends, goldenRoot, maxAbsDiff } from '@sr/testkit';
import { VSPSR, disposeRecord, inferVSpMConfig, sparseKl } from '../src/index.js';

function caseJson(name: string): Record<string, any> {
  const f = path.join(goldenRoot(), name, 'case.json');
  if (!fs.existsSync(f)) throw new Error(`missing fixture ${f}`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

describeBackends('VSpM model', () => {
  test('×4 state-dict keys and shapes equal the official ones (vspsr_x4 case.json)', async () => {
    const ref = caseJson('vspsr_x4').files['weights.pth'].keys_and_shapes as Record<string, number[]>;
    const m = new VSPSR({ scale: 4, nBasis: 32, upsample: true, variationalW: true });
    const sd = await m.stateDict();
    expect(Object.keys(sd).sort()).toEqual(Object.keys(ref).sort());
    for (const [k, shape] of Object.entries(ref)) expect(sd[k].shape).toEqual(shape);
    expect(inferVSpMConfig(sd)).toMatchObject({ scale: 4, nBasis: 32, upsample: true, variationalW: true, variationalZ: false });
    m.dispose();
  });

  test('×8: extra transposed conv, 8×8 atoms, 8× output, config inferred from weights', async () => {
    const m = new VSPSR({ scale: 8, nBasis: 8, upsample: true, mode: 'bicubic' });
    const sd = await m.stateDict();
    expect(sd['vspm.kernelbranch.22.weight'].shape).toEqual([8, 8, 2, 2]);
    expect(sd['vspm.kernelbranch.23.weight'].shape).toEqual([8, 8, 1, 1]);
    expect(inferVSpMConfig(sd)).toMatchObject({ scale: 8, nBasis: 8, mode: 'bicubic' });
    const lr = tf.randomUniform([1, 16, 24, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    await expectNoLeak(() => {
      const enc = m.vspm.encode(lr);
      expect(enc.basis.shape).toEqual([3, 8, 8, 8]);
      expect(enc.muW.shape).toEqual([3, 16, 24, 8]);
      const eps = tf.randomNormal([3, 16, 24, 8], 0, 1, 'float32', 4);
      const out = m.vspm.decode(enc, { epsW: eps });
      expect(out.pred.shape).toEqual([1, 128, 192, 3]);
      expect(out.klW!.shape).toEqual([3, 16, 24, 8]);
      disposeRecord(enc);
      disposeRecord(out);
      eps.dispose();
    });
    lr.dispose();
    m.dispose();
  });

  test('rejects LR images too small for the basis branch and wrong channel counts', () => {
    const m = new VSPSR({ scale: 4, nBasis: 8 });
    const small = tf.zeros([1, 12, 12, 3]) as tf.Tensor4D;
    expect(() => m.vspm.encode(small)).toThrow(/at least 16/);
    const gray = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    expect(() => m.vspm.encode(gray)).toThrow(/RGB/);
    tf.dispose([small, gray]);
    m.dispose();
  });

  test('KL_w uses a detached E[ρ]: ∂KL/∂μ = 2·E[ρ]·μ and ∂KL/∂logσ² = E[ρ]σ² − 1', async () => {
    await ensureGradients();
    const mu = tf.tensor4d([0.3, -1.2, 0.0, 2.0], [1, 1, 1, 4]);
    const lv = tf.tensor4d([-0.5, 0.2, 1.0, -2.0], [1, 1, 1, 4]);
    const [gMu, gLv] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(sparseKl(a, b, 3, 1)))([mu, lv]);
    const [muA, lvA, gm, gl] = await Promise.all([mu.data(), lv.data(), gMu.data(), gLv.data()]);
    for (let i = 0; i < 4; i++) {
      const s2 = Math.exp(lvA[i]);
      const rho = 3.5 / (1 + 0.5 * (muA[i] ** 2 + s2));
      expect(gm[i]).toBeCloseTo(2 * rho * muA[i], 4);
      expect(gl[i]).toBeCloseTo(rho * s2 - 1, 4);
    }
    tf.dispose([mu, lv, gMu, gLv]);
  });

  test('without ε the sample is the posterior mean; ε = 0 gives the same', async () => {
    const m = new VSPSR({ scale: 4, nBasis: 8, upsample: true });
    const lr = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const enc = m.vspm.encode(lr);
    const a = m.vspm.decode(enc);
    const b = m.vspm.decode(enc, { epsW: tf.zerosLike(enc.muW) });
    expect(await maxAbsDiff(a.pred, b.pred)).toBe(0);
    disposeRecord(a);
    disposeRecord(b);
    disposeRecord(enc);
    lr.dispose();
    m.dispose();
  });

  test('variational basis (variational_z): doubled widths, sampled atoms and KL_z', async () => {
    const m = new VSPSR({ scale: 4, nBasis: 8, variationalZ: true });
    const sd = await m.stateDict();
    expect(sd['vspm.kernelbranch.18.weight'].shape).toEqual([16, 16]);
    expect(inferVSpMConfig(sd)).toMatchObject({ variationalZ: true, nBasis: 8 });
    const lr = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const enc = m.vspm.encode(lr);
    expect(enc.muZ!.shape).toEqual([3, 4, 4, 8]);
    const epsZ = tf.randomNormal([3, 4, 4, 8], 0, 1, 'float32', 7);
    const a = m.vspm.decode(enc);
    const b = m.vspm.decode(enc, { epsZ });
    expect(a.klZ!.shape).toEqual([3, 4, 4, 8]);
    expect(await maxAbsDiff(a.xs, b.xs)).toBeGreaterThan(0);
    [a, b, enc].forEach(disposeRecord);
    tf.dispose([lr, epsZ]);
    m.dispose();
  });
});
