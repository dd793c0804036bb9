import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../src/train/gradients.js';
import { VectorQuantizer, expectNoLeak, stopGradient } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';

/** Brute-force nearest code (first index on ties) in plain JS. */
function nearest(z: Float32Array, dim: number, embed: Float32Array, k: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < z.length / dim; r++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (z[r * dim + j] - embed[j * k + c]) ** 2;
      if (d < bestD) [best, bestD] = [c, d];
    }
    out.push(best);
  }
  return out;
}

describeBackends('VectorQuantizer', () => {
  beforeAll(() => ensureGradients());

  test('official buffer names and shapes', async () => {
    const vq = new VectorQuantizer(4, 8);
    const sd = await vq.stateDict();
    expect(Object.keys(sd)).toEqual(['embed', 'cluster_size', 'embed_avg']);
    expect(sd.embed.shape).toEqual([4, 8]);
    expect(sd.cluster_size.shape).toEqual([8]);
    expect(vq.trainableVariables()).toHaveLength(0);
    vq.dispose();
  });

  test('nearest-code indices, lookup, straight-through value and commitment diff', async () => {
    const vq = new VectorQuantizer(3, 16, { beta: 0.5 });
    const z = tf.randomNormal([2, 3, 5, 3]);
    const r = await expectNoLeak(() => vq.forward(z), 4);
    const ref = nearest((await z.data()) as Float32Array, 3, (await vq.embed.data()) as Float32Array, 16);
    expect(r.indices.shape).toEqual([2, 3, 5]);
    expect(r.indices.dtype).toBe('int32');
    expect(Array.from(await r.indices.data())).toEqual(ref);
    const q = vq.lookup(r.indices);
    expect(await maxAbsDiff(r.quantized, q)).toBeLessThan(1e-6);
    const diff = tf.mean(tf.square(tf.sub(q, z)));
    expect(Math.abs((await r.diff.data())[0] - (await diff.data())[0])).toBeLessThan(1e-6);
    expect(Math.abs((await r.commitmentLoss.data())[0] - 0.5 * (await diff.data())[0])).toBeLessThan(1e-6);
    tf.dispose([z, q, diff, r.quantized, r.indices, r.diff, r.commitmentLoss]);
    vq.dispose();
  });

  test('straight-through gradient is the identity; commitment gradient is 2(z − q)/n', async () => {
    const vq = new VectorQuantizer(2, 4);
    const z = tf.randomNormal([6, 2]);
    const c = tf.randomNormal([6, 2]);
    const g1 = tf.grad((x: tf.Tensor) => {
      const r = vq.forward(x);
      return tf.sum(tf.mul(r.quantized, c));
    })(z);
    expect(await maxAbsDiff(g1, c)).toBeLessThan(1e-6);
    const g2 = tf.grad((x: tf.Tensor) => vq.forward(x).diff)(z);
    const q = vq.lookup(vq.encode(z));
    const expected = tf.div(tf.mul(tf.sub(z, q), 2), 12);
    expect(await maxAbsDiff(g2, expected)).toBeLessThan(1e-6);
    const g3 = tf.grad((x: tf.Tensor) => tf.sum(stopGradient(x)))(z);
    expect(await maxAbsDiff(g3, tf.zerosLike(z))).toBe(0);
    tf.dispose([z, c, g1, g2, q, expected, g3]);
    vq.dispose();
  });

  test('EMA update with Laplace smoothing matches a plain-JS reference', async () => {
    const dim = 2;
    const k = 3;
    const vq = new VectorQuantizer(dim, k, { decay: 0.9, eps: 1e-3 });
    const z = tf.tensor2d([[1, 0], [1.2, 0.1], [-1, 2], [0.9, -0.1]]);
    const idx = tf.tensor1d([0, 0, 2, 0], 'int32');
    const cs0 = Array.from(await vq.clusterSize.data());
    const avg0 = Array.from(await vq.embedAvg.data());
    await expectNoLeak(() => vq.emaUpdate(z, idx));
    const zs = (await z.array()) as number[][];
    const idxData = await idx.data();
    const counts = [3, 0, 1];
    const cs = cs0.map((v, c) => 0.9 * v + 0.1 * counts[c]);
    const n = cs.reduce((a, b) => a + b, 0);
    const sm = cs.map((v) => ((v + 1e-3) / (n + k * 1e-3)) * n);
    const avg = avg0.map((v, i) => {
      const j = Math.floor(i / k);
      const c = i % k;
      const s = zs.reduce((a, row, r) => a + (idxData[r] === c ? row[j]! : 0), 0);
      return 0.9 * v + 0.1 * s;
    });
    expect(await maxAbsDiff(vq.clusterSize, cs)).toBeLessThan(1e-6);
    expect(await maxAbsDiff(vq.embedAvg, avg)).toBeLessThan(1e-6);
    const want = avg.map((v, i) => v / sm[i % k]);
    const got = await vq.embed.data();
    want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w))));
    tf.dispose([z, idx]);
    vq.dispose();
  });

  test('rejects latents with the wrong channel count', async () => {
    const vq = new VectorQuantizer(4, 8);
    const z = tf.zeros([1, 2, 2, 3]);
    expect(() => vq.forward(z)).toThrow(/4 channels/);
    z.dispose();
    vq.dispose();
  });
});
