import * as tf from '@tensorflow/tfjs-core';
import { MultiheadAttention, causalMask, expectNoLeak, scaledDotProductAttention, type StateDict } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** Plain-JS PyTorch nn.MultiheadAttention (seq-first semantics, batch handled outside). */
function refMha(x: number[][], w: Float32Array, b: Float32Array, ow: Float32Array, ob: Float32Array, e: number, h: number, causal: boolean, bias?: number[][]): number[][] {
  const lin = (v: number[], W: Float32Array, B: Float32Array, row0: number) =>
    Array.from({ length: e }, (_, o) => v.reduce((a, vi, i) => a + vi * W[(row0 + o) * e + i], B[row0 + o]));
  const q = x.map((v) => lin(v, w, b, 0));
  const k = x.map((v) => lin(v, w, b, e));
  const vv = x.map((v) => lin(v, w, b, 2 * e));
  const hd = e / h;
  const out = x.map(() => new Array<number>(e).fill(0));
  for (let head = 0; head < h; head++) {
    for (let i = 0; i < x.length; i++) {
      const logits = x.map((_, j) => {
        if (causal && j > i) return -Infinity;
        let s = 0;
        for (let d = 0; d < hd; d++) s += q[i][head * hd + d] * k[j][head * hd + d];
        return s / Math.sqrt(hd) + (bias ? bias[i][j] : 0);
      });
      const m = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - m));
      const z = ex.reduce((a, c) => a + c, 0);
      for (let j = 0; j < x.length; j++) for (let d = 0; d < hd; d++) out[i][head * hd + d] += (ex[j] / z) * vv[j][head * hd + d];
    }
  }
  return out.map((v) => lin(v, ow, ob, 0));
}

describeBackends('attention', () => {
  test('scaledDotProductAttention: causal row 0 copies v[0]; weights sum to 1', async () => {
    const q = tf.randomNormal([2, 3, 5, 4]);
    const k = tf.randomNormal([2, 3, 5, 4]);
    const v = tf.randomNormal([2, 3, 5, 6]);
    const [o, w] = scaledDotProductAttention(q, k, v, { causal: true, returnWeights: true });
    expect(o.shape).toEqual([2, 3, 5, 6]);
    const o0 = tf.slice(o, [0, 0, 0, 0], [-1, -1, 1, -1]);
    const v0 = tf.slice(v, [0, 0, 0, 0], [-1, -1, 1, -1]);
    expect(await maxAbsDiff(o0, v0)).toBeLessThan(1e-6);
    const upper = tf.mul(w, tf.cast(tf.greater(tf.sub(tf.range(0, 5), tf.reshape(tf.range(0, 5), [5, 1])), 0), 'float32'));
    expect((await tf.max(upper).data())[0]).toBe(0);
    expect(await maxAbsDiff(tf.sum(w, -1), tf.onesLike(tf.sum(w, -1)))).toBeLessThan(1e-5);
    // A -inf float mask (PyTorch attn_mask) equals causal: true.
    const inf = tf.where(tf.less(causalMask(5), -1), tf.fill([5, 5], -Infinity), tf.zeros([5, 5]));
    const o2 = scaledDotProductAttention(q, k, v, { bias: inf });
    expect(await maxAbsDiff(o, o2)).toBeLessThan(1e-6);
    tf.dispose([q, k, v, o, w, o0, v0, upper, inf, o2]);
  });

  test('MultiheadAttention loads PyTorch keys and matches a reference (causal + bias)', async () => {
    const e = 8;
    const h = 2;
    const l = 4;
    const sd: StateDict = {
      in_proj_weight: { dtype: 'float32', shape: [3 * e, e], data: rand(3 * e * e, 1) },
      in_proj_bias: { dtype: 'float32', shape: [3 * e], data: rand(3 * e, 2) },
      'out_proj.weight': { dtype: 'float32', shape: [e, e], data: rand(e * e, 3) },
      'out_proj.bias': { dtype: 'float32', shape: [e], data: rand(e, 4) },
    };
    const mha = new MultiheadAttention(e, h, { dropout: 0.2 });
    expect(Object.keys(await mha.stateDict())).toEqual(Object.keys(sd));
    mha.loadStateDict(sd);
    const xData = rand(2 * l * e, 5);
    const x = tf.tensor3d(xData, [2, l, e]);
    const biasArr = Array.from({ length: l }, (_, i) => Array.from({ length: l }, (_, j) => 0.1 * (i - j)));
    const bias = tf.tensor2d(biasArr);
    const y = await expectNoLeak(() => mha.forward(x, x, x, { causal: true, bias }), 1);
    const get = (n: string) => sd[n].data as Float32Array;
    for (let n = 0; n < 2; n++) {
      const seq = Array.from({ length: l }, (_, i) => Array.from(xData.slice((n * l + i) * e, (n * l + i + 1) * e)));
      const ref = refMha(seq, get('in_proj_weight'), get('in_proj_bias'), get('out_proj.weight'), get('out_proj.bias'), e, h, true, biasArr);
      const got = tf.slice(y, [n, 0, 0], [1, l, e]);
      expect(await maxAbsDiff(got, ref.flat())).toBeLessThan(1e-5);
      got.dispose();
    }
    tf.dispose([x, bias, y]);
    mha.dispose();
  });

  test('rejects a non-batch-first input', async () => {
    const mha = new MultiheadAttention(8, 2);
    const x = tf.zeros([4, 8]);
    expect(() => mha.forward(x)).toThrow(/batch-first/);
    x.dispose();
    mha.dispose();
  });
});
