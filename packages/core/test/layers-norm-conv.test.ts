import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, ConvTranspose2d, ensureGradients, expectNoLeak, GroupNorm, InstanceNorm2d, LayerNorm, type StateDict } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { seq } from './seeded-data.js';

const names = (m: { namedParameters(): [string, unknown][] }) => m.namedParameters().map(([k]) => k);

interface CTCase {
  cin: number;
  cout: number;
  k: number;
  stride: number;
  padding: number;
  outputPadding: number;
  dilation: number;
  groups: number;
}

/**
 * `conv_transpose2d` straight from its definition (the adjoint of conv2d), NHWC input and PyTorch
 * weight `[in, out/groups, kh, kw]`: every input pixel scatters `x·W` to `y·s − p + ky·d`.
 */
function refConvTranspose(x: Float32Array, [h, w]: number[], wt: Float32Array, bias: Float32Array, c: CTCase) {
  const oh = (h - 1) * c.stride - 2 * c.padding + c.dilation * (c.k - 1) + c.outputPadding + 1;
  const ow = (w - 1) * c.stride - 2 * c.padding + c.dilation * (c.k - 1) + c.outputPadding + 1;
  const out = new Float64Array(oh * ow * c.cout);
  for (let i = 0; i < oh * ow; i++) for (let o = 0; o < c.cout; o++) out[i * c.cout + o] = bias[o];
  const inG = c.cin / c.groups;
  const outG = c.cout / c.groups;
  for (let y = 0; y < h; y++)
    for (let xx = 0; xx < w; xx++)
      for (let i = 0; i < c.cin; i++) {
        const g = Math.floor(i / inG);
        for (let oo = 0; oo < outG; oo++)
          for (let ky = 0; ky < c.k; ky++)
            for (let kx = 0; kx < c.k; kx++) {
              const Y = y * c.stride - c.padding + ky * c.dilation;
              const X = xx * c.stride - c.padding + kx * c.dilation;
              if (Y < 0 || X < 0 || Y >= oh || X >= ow) continue;
              const wv = wt[((i * outG + oo) * c.k + ky) * c.k + kx];
              out[(Y * ow + X) * c.cout + g * outG + oo] += x[(y * w + xx) * c.cin + i] * wv;
            }
      }
  return { out: Array.from(out), shape: [1, oh, ow, c.cout] };
}

describeBackends('layers: conv transpose and norms', () => {
  beforeAll(() => ensureGradients());

  test('ConvTranspose2d matches the scatter definition (stride, padding, output_padding, dilation, groups)', async () => {
    const cases: CTCase[] = [
      { cin: 2, cout: 3, k: 3, stride: 1, padding: 0, outputPadding: 0, dilation: 1, groups: 1 },
      { cin: 2, cout: 3, k: 3, stride: 2, padding: 1, outputPadding: 1, dilation: 1, groups: 1 },
      { cin: 4, cout: 2, k: 6, stride: 2, padding: 2, outputPadding: 0, dilation: 1, groups: 1 },
      { cin: 4, cout: 6, k: 3, stride: 3, padding: 0, outputPadding: 2, dilation: 1, groups: 2 },
      { cin: 2, cout: 2, k: 3, stride: 1, padding: 2, outputPadding: 1, dilation: 2, groups: 1 },
    ];
    for (const c of cases) {
      const [h, w] = [3, 4];
      const x = seq(h * w * c.cin, 3);
      const wt = seq(c.cin * (c.cout / c.groups) * c.k * c.k, 5);
      const b = seq(c.cout, 9);
      const m = new ConvTranspose2d(c.cin, c.cout, c.k, c);
      const sd: StateDict = {
        weight: { dtype: 'float32', shape: [c.cin, c.cout / c.groups, c.k, c.k], data: wt },
        bias: { dtype: 'float32', shape: [c.cout], data: b },
      };
      m.loadStateDict(sd);
      const xt = tf.tensor4d(x, [1, h, w, c.cin]);
      const y = m.forward(xt);
      const ref = refConvTranspose(x, [h, w], wt, b, c);
      expect(y.shape).toEqual(ref.shape);
      expect(await maxAbsDiff(y, ref.out)).toBeLessThan(1e-5);
      tf.dispose([xt, y]);
      m.dispose();
    }
  });

  test('ConvTranspose2d: 1×1 input reproduces the kernel; gradients; no leaks', async () => {
    const m = new ConvTranspose2d(1, 1, 3, { bias: false });
    m.loadStateDict({ weight: { dtype: 'float32', shape: [1, 1, 3, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) } });
    const one = tf.ones([1, 1, 1, 1]);
    expect(Array.from(await m.forward(one).data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const m2 = new ConvTranspose2d(2, 3, 4, { stride: 2, padding: 1 });
    const x = tf.tensor4d(seq(2 * 3 * 3 * 2), [2, 3, 3, 2]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(m2.forward(x))));
    expect(Object.keys(grads).length).toBe(2);
    for (const g of Object.values(grads)) expect((await tf.sum(tf.abs(g)).data())[0]).toBeGreaterThan(0);
    await expectNoLeak(() => m2.forward(x).dispose());
    tf.dispose([one, x, ...Object.values(grads)]);
    m.dispose();
    m2.dispose();
  });

  test('BatchNorm2d: eval uses running stats, train uses batch stats and updates them (unbiased var, momentum)', async () => {
    const C = 3;
    const bn = new BatchNorm2d(C);
    expect(names(bn)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    const f = (v: number[]) => ({ dtype: 'float32' as const, shape: [C], data: Float32Array.from(v) });
    bn.loadStateDict({
      weight: f([1, 2, 0.5]),
      bias: f([0, 1, -1]),
      running_mean: f([0.1, -0.2, 0.3]),
      running_var: f([1, 4, 0.25]),
      num_batches_tracked: { dtype: 'int64', shape: [], data: BigInt64Array.from([7n]) },
    });
    const data = seq(2 * 2 * 3 * C, 11);
    const x = tf.tensor4d(data, [2, 2, 3, C]);
    const ev = await bn.eval().forward(x).data();
    const rm = [0.1, -0.2, 0.3];
    const rv = [1, 4, 0.25];
    const wgt = [1, 2, 0.5];
    const bia = [0, 1, -1];
    for (let i = 0; i < data.length; i++) {
      const c = i % C;
      expect(Math.abs(ev[i] - (((data[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * wgt[c] + bia[c]))).toBeLessThan(1e-5);
    }
    const tr = await bn.train().forward(x).data();
    const runMean = await bn.runningMean!.data();
    const runVar = await bn.runningVar!.data();
    expect((await bn.numBatchesTracked!.data())[0]).toBe(8);
    const n = data.length / C;
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let i = c; i < data.length; i += C) mean += data[i] / n;
      let v = 0;
      for (let i = c; i < data.length; i += C) v += (data[i] - mean) ** 2 / n;
      for (let i = c; i < data.length; i += C) expect(Math.abs(tr[i] - (((data[i] - mean) / Math.sqrt(v + 1e-5)) * wgt[c] + bia[c]))).toBeLessThan(1e-5);
      expect(Math.abs(runMean[c] - (0.9 * rm[c] + 0.1 * mean))).toBeLessThan(1e-6);
      expect(Math.abs(runVar[c] - (0.9 * rv[c] + 0.1 * ((v * n) / (n - 1))))).toBeLessThan(1e-6);
    }
    x.dispose();
    bn.dispose();
  });

  test('BatchNorm2d momentum null is a cumulative average; trackRunningStats false always uses batch stats', async () => {
    const bn = new BatchNorm2d(1, { momentum: null, affine: false }).train();
    for (const v of [[1, 3], [5, 7]]) bn.forward(tf.tensor4d(v, [1, 1, 2, 1])).dispose();
    // batch means 2 and 6 → cumulative average 4; unbiased variances 2 and 2 → 2 (initial 0/1 weighted out).
    expect(Array.from(await bn.runningMean!.data())).toEqual([4]);
    expect(Math.abs((await bn.runningVar!.data())[0] - 2)).toBeLessThan(1e-6);
    const free = new BatchNorm2d(1, { trackRunningStats: false, affine: false });
    expect(free.namedParameters().length).toBe(0);
    expect(await maxAbsDiff(free.forward(tf.tensor4d([1, 3], [1, 1, 2, 1])), [-1, 1])).toBeLessThan(1e-4);
    expect(() => bn.forward(tf.zeros([1, 2, 2, 3]))).toThrow(/1 channels/);
    bn.dispose();
  });

  test('InstanceNorm2d, GroupNorm and LayerNorm match their formulas and have gradients', async () => {
    const [N, H, W, C] = [2, 3, 2, 4];
    const data = seq(N * H * W * C, 13);
    const x = tf.tensor4d(data, [N, H, W, C]);
    /** Normalises `data` over the element sets given by `key(i)` (biased variance). */
    const normBy = (key: (i: number) => string) => {
      const groups = new Map<string, number[]>();
      data.forEach((_, i) => groups.set(key(i), [...(groups.get(key(i)) ?? []), i]));
      const out = new Array<number>(data.length);
      for (const idx of groups.values()) {
        const mean = idx.reduce((a, i) => a + data[i], 0) / idx.length;
        const v = idx.reduce((a, i) => a + (data[i] - mean) ** 2, 0) / idx.length;
        for (const i of idx) out[i] = (data[i] - mean) / Math.sqrt(v + 1e-5);
      }
      return out;
    };
    const nOf = (i: number) => Math.floor(i / (H * W * C));
    const inst = new InstanceNorm2d(C);
    expect(names(inst)).toEqual([]);
    expect(await maxAbsDiff(inst.forward(x), normBy((i) => `${nOf(i)}:${i % C}`))).toBeLessThan(1e-5);
    const gn = new GroupNorm(2, C);
    expect(names(gn)).toEqual(['weight', 'bias']);
    expect(await maxAbsDiff(gn.forward(x), normBy((i) => `${nOf(i)}:${Math.floor((i % C) / 2)}`))).toBeLessThan(1e-5);
    const ln = new LayerNorm(C);
    expect(await maxAbsDiff(ln.forward(x), normBy((i) => `${Math.floor(i / C)}`))).toBeLessThan(1e-5);
    const affineInst = new InstanceNorm2d(C, { affine: true, trackRunningStats: true });
    expect(names(affineInst)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    for (const m of [new BatchNorm2d(C).train(), gn, ln, affineInst.train()]) {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(m.forward(x), tf.linspace(0, 1, C))), m.trainableVariables());
      expect(Object.keys(grads).length).toBe(2);
      expect(Number.isFinite((await value.data())[0])).toBe(true);
      tf.dispose([value, ...Object.values(grads)]);
      m.eval();
      await expectNoLeak(() => m.forward(x).dispose());
      m.dispose();
    }
    inst.dispose();
    x.dispose();
  });
  test('state dicts: PyTorch layouts, num_batches_tracked saved as int64', async () => {
    const ct = new ConvTranspose2d(4, 6, 3, { groups: 2 });
    const wt = seq(4 * 3 * 9, 21);
    ct.loadStateDict({ weight: { dtype: 'float32', shape: [4, 3, 3, 3], data: wt }, bias: { dtype: 'float32', shape: [6], data: seq(6) } });
    expect(Array.from((await ct.stateDict()).weight.data as Float32Array)).toEqual(Array.from(wt));
    const bn = new BatchNorm2d(2);
    const sd = await bn.stateDict();
    expect(sd.num_batches_tracked).toEqual({ dtype: 'int64', shape: [], data: BigInt64Array.from([0n]) });
    ct.dispose();
    bn.dispose();
  });
});
