import * as tf from '@tensorflow/tfjs-core';
import {
  cellSize,
  ensureGradients,
  expectNoLeak,
  gridSampleBilinear,
  gridSampleNearest,
  makeCell,
  makeCoord,
  makeCoordData,
  nearestSourceIndex,
  roundHalfEven,
  scaledSize,
  unfold3x3,
} from '@sr/core';
import { describeBackends, maxAbsDiff, openCase } from '@sr/testkit';

/** Independent reference of PyTorch grid_sample (align_corners=False) on NHWC data, (y, x) coords. */
function refGridSample(
  feat: Float32Array, [b, h, w, c]: number[], coord: Float32Array, q: number, mode: 'nearest' | 'bilinear', border: boolean,
): Float32Array {
  const out = new Float32Array(b * q * c);
  const px = (bi: number, y: number, x: number, ch: number) =>
    y < 0 || y >= h || x < 0 || x >= w ? 0 : feat[((bi * h + y) * w + x) * c + ch];
  for (let bi = 0; bi < b; bi++)
    for (let i = 0; i < q; i++) {
      const gy = coord[(bi * q + i) * 2];
      const gx = coord[(bi * q + i) * 2 + 1];
      let sy = ((gy + 1) * h - 1) / 2;
      let sx = ((gx + 1) * w - 1) / 2;
      if (border) {
        sy = Math.min(Math.max(sy, 0), h - 1);
        sx = Math.min(Math.max(sx, 0), w - 1);
      }
      for (let ch = 0; ch < c; ch++) {
        let v: number;
        if (mode === 'nearest') v = px(bi, nearestSourceIndex(gy, h), nearestSourceIndex(gx, w), ch);
        else {
          const y0 = Math.floor(sy), x0 = Math.floor(sx);
          const ty = sy - y0, tx = sx - x0;
          v = px(bi, y0, x0, ch) * (1 - ty) * (1 - tx) + px(bi, y0, x0 + 1, ch) * (1 - ty) * tx +
            px(bi, y0 + 1, x0, ch) * ty * (1 - tx) + px(bi, y0 + 1, x0 + 1, ch) * ty * tx;
        }
        out[(bi * q + i) * c + ch] = v;
      }
    }
  return out;
}

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

describe('coordinates (pure JS)', () => {
  test('Python round and HR sizes', async () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, 2, 3]);
    expect(scaledSize([16, 16], 2.5)).toEqual([40, 40]);
    expect(scaledSize([16, 16], 3.3)).toEqual([53, 53]);
    expect(scaledSize([13, 19], 2.4)).toEqual([31, 46]);
  });

  test('nearest source index rounds half to even (CiaoSR ties)', async () => {
    expect(nearestSourceIndex(0, 16)).toBe(8); // ix = 7.5
    expect(nearestSourceIndex(0, 14)).toBe(6); // ix = 6.5
    expect(nearestSourceIndex(-1, 16)).toBe(0); // ix = -0.5 → -0
    expect(nearestSourceIndex(1, 16)).toBe(16); // ix = 15.5 → 16: outside (zero padding)
  });

  test('makeCoord/makeCell equal the stored LIIF coords and cells bit for bit', async () => {
    for (const name of ['liif-edsr', 'lte-edsr']) {
      const ctx = openCase(name);
      for (const [key, run] of Object.entries<any>(ctx.json.runs)) {
        const [H, W] = run.hr_hw as [number, number];
        expect(scaledSize(run.lr_hw, run.scale)).toEqual([H, W]);
        const coord = ctx.npy(`coord_${key}`).data as Float32Array;
        const cell = ctx.npy(`cell_${key}`).data as Float32Array;
        const mine = makeCoordData([H, W]);
        expect(mine.length).toBe(coord.length);
        let bad = 0;
        for (let i = 0; i < coord.length; i++) if (mine[i] !== coord[i]) bad++;
        expect(bad).toBe(0);
        const [cy, cx] = cellSize(H, W);
        expect(cell[0]).toBe(cy);
        expect(cell[1]).toBe(cx);
      }
    }
  });
});

describeBackends('ops', () => {
  beforeAll(() => ensureGradients());

  test('makeCoord shapes and values', async () => {
    const c = makeCoord([2, 3]);
    expect(c.shape).toEqual([6, 2]);
    const v = Array.from((await c.data()));
    expect(v[0]).toBeCloseTo(-0.5, 6);
    expect(v[1]).toBeCloseTo(-2 / 3, 6);
    expect(v[10]).toBeCloseTo(0.5, 6);
    expect(v[11]).toBeCloseTo(2 / 3, 6);
    const g = makeCoord([2, 3], { flatten: false });
    expect(g.shape).toEqual([2, 3, 2]);
    const cell = makeCell(40, 20, 5);
    expect(cell.shape).toEqual([5, 2]);
    expect(Array.from((await cell.data())).slice(0, 2)).toEqual([Math.fround(0.05), Math.fround(0.1)]);
    tf.dispose([c, g, cell]);
  });

  test('gridSampleNearest: exact ties pick the even index', async () => {
    for (const n of [16, 14]) {
      const feat = tf.reshape(tf.range(0, n * n, 1, 'float32'), [1, n, n, 1]) as tf.Tensor4D;
      const coord = tf.tensor3d([0, 0, 0, -1 + 1e-6, 1 - 1e-6, 0], [1, 3, 2]);
      const out = Array.from((await gridSampleNearest(feat, coord).data()));
      const mid = n === 16 ? 8 : 6;
      expect(out).toEqual([mid * n + mid, mid * n, (n - 1) * n + mid]);
      tf.dispose([feat, coord]);
    }
  });

  test('gridSampleNearest: outside reads zeros, border clamps', async () => {
    const feat = tf.reshape(tf.range(1, 17, 1, 'float32'), [1, 4, 4, 1]) as tf.Tensor4D;
    const coord = tf.tensor3d([1, 1, -1.5, 0.1], [1, 2, 2]); // ix = 3.5 → 4 (outside); y far outside
    expect(Array.from((await gridSampleNearest(feat, coord).data()))).toEqual([0, 0]);
    expect(Array.from((await gridSampleNearest(feat, coord, { paddingMode: 'border' }).data()))).toEqual([16, 3]);
    tf.dispose([feat, coord]);
  });

  test('gridSampleNearest and gridSampleBilinear match a reference (batch 2, non-square)', async () => {
    const shape = [2, 5, 7, 3];
    const featData = rand(2 * 5 * 7 * 3, 1);
    const q = 37;
    const coordData = rand(2 * q * 2, 2, -1.3, 1.3);
    const feat = tf.tensor4d(featData, shape as [number, number, number, number]);
    const coord = tf.tensor3d(coordData, [2, q, 2]);
    const near = gridSampleNearest(feat, coord);
    expect(near.shape).toEqual([2, q, 3]);
    expect(await maxAbsDiff(near, refGridSample(featData, shape, coordData, q, 'nearest', false))).toBe(0);
    for (const border of [true, false]) {
      const bil = gridSampleBilinear(feat, coord, { paddingMode: border ? 'border' : 'zeros' });
      expect(await maxAbsDiff(bil, refGridSample(featData, shape, coordData, q, 'bilinear', border))).toBeLessThan(1e-5);
      bil.dispose();
    }
    tf.dispose([feat, coord, near]);
  });

  test('gridSampleBilinear is differentiable w.r.t. feat and leak-free', async () => {
    const feat = tf.randomNormal([1, 4, 5, 2]) as tf.Tensor4D;
    const coord = tf.tensor3d(rand(2 * 6, 3), [1, 6, 2]);
    await expectNoLeak(async () => {
      const g = tf.grad((f: tf.Tensor) => tf.sum(gridSampleBilinear(f as tf.Tensor4D, coord)))(feat);
      // each query's four weights sum to 1 (border), so the gradient sums to the query count × channels
      const sg = tf.sum(g);
      expect((await sg.data())[0]).toBeCloseTo(12, 4);
      const gn = tf.grad((f: tf.Tensor) => tf.sum(gridSampleNearest(f as tf.Tensor4D, coord)))(feat);
      const sn = tf.sum(gn);
      expect((await sn.data())[0]).toBeCloseTo(12, 4);
      tf.dispose([g, gn, sn, sg]);
    });
    tf.dispose([feat, coord]);
  });

  test('unfold3x3 matches F.unfold channel order c·9 + ky·3 + kx with zero padding', async () => {
    const [b, h, w, c] = [2, 4, 5, 3];
    const data = rand(b * h * w * c, 4);
    const x = tf.tensor4d(data, [b, h, w, c]);
    const u = unfold3x3(x);
    expect(u.shape).toEqual([b, h, w, 9 * c]);
    const got = (await u.data());
    let worst = 0;
    for (let bi = 0; bi < b; bi++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let ch = 0; ch < c; ch++)
            for (let ky = 0; ky < 3; ky++)
              for (let kx = 0; kx < 3; kx++) {
                const y = i + ky - 1, xx = j + kx - 1;
                const ref = y < 0 || y >= h || xx < 0 || xx >= w ? 0 : data[((bi * h + y) * w + xx) * c + ch];
                worst = Math.max(worst, Math.abs(got[((bi * h + i) * w + j) * 9 * c + ch * 9 + ky * 3 + kx] - ref));
              }
    expect(worst).toBe(0);
    const g = tf.grad((t: tf.Tensor) => tf.sum(unfold3x3(t as tf.Tensor4D)))(x);
    // interior pixels are seen by all 9 taps
    expect(((await g.array()) as number[][][][])[0][1][1][0]).toBe(9);
    tf.dispose([x, u, g]);
  });
}); // every backend, wasm included: GatherV2 and the gather gradient are custom kernels there
