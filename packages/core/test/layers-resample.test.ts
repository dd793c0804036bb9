import * as tf from '@tensorflow/tfjs-core';
import { avgPool2d, bilinearMatrix, bilinearResize, ensureGradients, expectNoLeak, interpolate, maxPool2d, pixelShuffle, pixelUnshuffle, poolOutputSize, PixelShuffle, Upsample } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { seq } from './seeded-data.js';

/** A 1-row NHWC image holding `values` along W. */
const row = (values: number[]) => tf.tensor4d(values, [1, 1, values.length, 1]);
/** Async read-back (WebGPU in Node has no synchronous readback). */
const vals = async (t: tf.Tensor) => Array.from(await t.data());

/** Reference pooling straight from ATen's loops (NHWC, one batch), for max and avg. */
function refPool(x: Float32Array, [h, w, c]: number[], k: number, s: number, p: number, ceil: boolean, kind: 'max' | 'avg', includePad = true) {
  const oh = poolOutputSize(h, k, s, p, ceil);
  const ow = poolOutputSize(w, k, s, p, ceil);
  const out: number[] = [];
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let ch = 0; ch < c; ch++) {
        let hs = oy * s - p;
        let ws = ox * s - p;
        let he = Math.min(hs + k, h + p);
        let we = Math.min(ws + k, w + p);
        const poolSize = (he - hs) * (we - ws);
        hs = Math.max(hs, 0);
        ws = Math.max(ws, 0);
        he = Math.min(he, h);
        we = Math.min(we, w);
        let m = -Infinity;
        let sum = 0;
        for (let y = hs; y < he; y++)
          for (let xx = ws; xx < we; xx++) {
            const v = x[(y * w + xx) * c + ch];
            m = Math.max(m, v);
            sum += v;
          }
        out.push(kind === 'max' ? m : sum / (includePad ? poolSize : (he - hs) * (we - ws)));
      }
  return { out, shape: [1, oh, ow, c] };
}

describeBackends('layers: pixel shuffle, interpolate, pool', () => {
  beforeAll(() => ensureGradients());

  test('pixelShuffle uses PyTorch channel order out[c, r*y+i, r*x+j] = in[c*r*r + i*r + j]', async () => {
    for (const r of [2, 3]) {
      const [h, w, c] = [2, 3, 2];
      const data = seq(h * w * c * r * r, r);
      const x = tf.tensor4d(data, [1, h, w, c * r * r]);
      const y = pixelShuffle(x, r);
      expect(y.shape).toEqual([1, h * r, w * r, c]);
      const got = await y.data();
      for (let cc = 0; cc < c; cc++)
        for (let yy = 0; yy < h; yy++)
          for (let xx = 0; xx < w; xx++)
            for (let i = 0; i < r; i++)
              for (let j = 0; j < r; j++) {
                const inIdx = (yy * w + xx) * c * r * r + cc * r * r + i * r + j;
                const outIdx = ((r * yy + i) * w * r + (r * xx + j)) * c + cc;
                expect(got[outIdx]).toBe(data[inIdx]);
              }
      const back = pixelUnshuffle(y, r);
      expect(await maxAbsDiff(back, x)).toBe(0);
      tf.dispose([x, y, back]);
    }
  });

  test('pixelShuffle has a gradient (the unshuffled upstream gradient) and does not leak', async () => {
    const x = tf.tensor4d(seq(1 * 2 * 2 * 8), [1, 2, 2, 8]);
    const up = tf.tensor4d(seq(1 * 4 * 4 * 2, 7), [1, 4, 4, 2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(new PixelShuffle(2).forward(a), up)))(x);
    const expected = pixelUnshuffle(up, 2);
    expect(await maxAbsDiff(g, expected)).toBe(0);
    await expectNoLeak(() => pixelShuffle(x, 2).dispose());
    tf.dispose([x, up, g, expected]);
  });

  test('nearest: floor(dst*scale), scale = 1/scaleFactor unless recomputed', async () => {
    const x = row([0, 1, 2, 3]);
    expect(await vals(interpolate(x, { scaleFactor: [1, 2] }))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // size 3 from 5: scale 5/3 → floor(0, 1.67, 3.33) = 0, 1, 3
    expect(await vals(interpolate(row([0, 1, 2, 3, 4]), { size: [1, 3] }))).toEqual([0, 1, 3]);
    // scaleFactor 1.7 on 4: out floor(6.8) = 6; src = floor(d/1.7) = 0,0,1,1,2,2; recomputed 4/6: 0,0,1,2,2,3
    expect(await vals(interpolate(x, { scaleFactor: [1, 1.7] }))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(await vals(interpolate(x, { scaleFactor: [1, 1.7], recomputeScaleFactor: true }))).toEqual([0, 0, 1, 2, 2, 3]);
    // nearest-exact: floor((d+0.5)*0.5) = 0,0,1,1 ... ; 3 from 5: floor((d+.5)*5/3) = 0, 2, 4
    expect(await vals(interpolate(row([0, 1, 2, 3, 4]), { size: [1, 3], mode: 'nearest-exact' }))).toEqual([0, 2, 4]);
    x.dispose();
  });

  test('bilinear: half-pixel centres, clamp at 0, align_corners', async () => {
    const two = row([0, 1]);
    expect(await maxAbsDiff(interpolate(two, { scaleFactor: [1, 2], mode: 'bilinear' }), [0, 0.25, 0.75, 1])).toBeLessThan(1e-7);
    expect(await maxAbsDiff(interpolate(two, { size: [1, 4], mode: 'bilinear', alignCorners: true }), [0, 1 / 3, 2 / 3, 1])).toBeLessThan(1e-7);
    // On a ramp v[i] = i the output is the (clamped) source coordinate itself:
    // scaleFactor 1.7 → src = (d+0.5)/1.7 − 0.5 clamped at 0; recomputed (4/6) → last src 3.1667 clamps to the border value 3.
    const ramp = row([0, 1, 2, 3]);
    const expect17 = [0, 1, 2, 3, 4, 5].map((d) => Math.max(0, (d + 0.5) / 1.7 - 0.5));
    expect(await maxAbsDiff(interpolate(ramp, { scaleFactor: [1, 1.7], mode: 'bilinear' }), expect17)).toBeLessThan(2e-6);
    const expectRe = [0, 1, 2, 3, 4, 5].map((d) => Math.min(3, Math.max(0, ((d + 0.5) * 4) / 6 - 0.5)));
    expect(await maxAbsDiff(interpolate(ramp, { scaleFactor: [1, 1.7], mode: 'bilinear', recomputeScaleFactor: true }), expectRe)).toBeLessThan(2e-6);
    tf.dispose([two, ramp]);
  });

  test('bilinear 2-D equals ATen upsample_bilinear2d loop (downscale, non-square)', async () => {
    const [h, w, oh, ow] = [5, 7, 3, 4];
    const data = seq(h * w, 3);
    const x = tf.tensor4d(data, [1, h, w, 1]);
    const ref: number[] = [];
    const src = (d: number, n: number, o: number) => Math.max(0, (n / o) * (d + 0.5) - 0.5);
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const hr = src(oy, h, oh);
        const wr = src(ox, w, ow);
        const h1 = Math.floor(hr);
        const w1 = Math.floor(wr);
        const hp = h1 < h - 1 ? 1 : 0;
        const wp = w1 < w - 1 ? 1 : 0;
        const [l1, m1] = [hr - h1, wr - w1];
        const at = (y: number, xx: number) => data[y * w + xx];
        ref.push((1 - l1) * ((1 - m1) * at(h1, w1) + m1 * at(h1, w1 + wp)) + l1 * ((1 - m1) * at(h1 + hp, w1) + m1 * at(h1 + hp, w1 + wp)));
      }
    expect(await maxAbsDiff(interpolate(x, { size: [oh, ow], mode: 'bilinear' }), ref)).toBeLessThan(1e-6);
    x.dispose();
  });

  test('bicubic: A = -0.75, border-clamped taps (hand-computed [0,1] x2)', async () => {
    // out0: src −0.25 → taps (−2..1) clamp to (0,0,0,1), t = .75 → w3 = cc2(1.25) = −0.10546875
    // out1: src 0.25 → taps (−1..2) → (0,0,1,1), t = .25 → cc1(.75) + cc2(1.75) = 0.26171875 − 0.03515625
    const y = interpolate(row([0, 1]), { scaleFactor: [1, 2], mode: 'bicubic' });
    expect(await maxAbsDiff(y, [-0.10546875, 0.2265625, 0.7734375, 1.10546875])).toBeLessThan(1e-6);
    // A = −0.75 does not reproduce ramps (only A = −0.5 would): on v[i] = i the interior output is
    // i0 + Σ_k w_k·k; for t = 0.25 the weights (cc2(1.25), cc1(.25), cc1(.75), cc2(1.75)) give 0.296875,
    // for t = 0.75 (mirrored) 0.703125.
    const ramp = row([0, 1, 2, 3, 4, 5, 6, 7]);
    const z = await vals(interpolate(ramp, { scaleFactor: [1, 2], mode: 'bicubic' }));
    for (let d = 4; d < 12; d++) {
      const src = (d + 0.5) / 2 - 0.5;
      const i0 = Math.floor(src);
      expect(Math.abs(z[d] - (i0 + (src - i0 === 0.25 ? 0.296875 : 0.703125)))).toBeLessThan(1e-5);
    }
    // align_corners, 8 → 15: src = d/2; t = 0 is exact, t = 0.5 symmetric → d/2 in the interior; at
    // d = 1 the clamped tap −1 → 0 adds cc2(1.5)·(0 − (−1)) = −0.09375, mirrored at d = 13.
    const ac = await vals(interpolate(ramp, { size: [1, 15], mode: 'bicubic', alignCorners: true }));
    for (let d = 2; d < 13; d++) expect(Math.abs(ac[d] - d / 2)).toBeLessThan(1e-5);
    expect(Math.abs(ac[1] - 0.40625)).toBeLessThan(1e-6);
    expect(Math.abs(ac[13] - 6.59375)).toBeLessThan(1e-5);
    expect([ac[0], ac[14]]).toEqual([0, 7]);
    tf.dispose([y, ramp]);
  });

  test('bilinear scaleFactor 0.5 is exactly 2×2 average pooling (src = 2·d + 0.5); Upsample module', async () => {
    // CSNLN/CiaoSR downsample with F.interpolate(1/2, bilinear): scale = 1/0.5 = 2, so the source
    // coordinate is 2d + 0.5 and both taps weigh 0.5 on each axis.
    const x = tf.tensor4d(seq(2 * 6 * 4 * 3, 17), [2, 6, 4, 3]);
    expect(await maxAbsDiff(interpolate(x, { scaleFactor: 0.5, mode: 'bilinear' }), avgPool2d(x, 2))).toBeLessThan(1e-6);
    const up = new Upsample({ scaleFactor: 2, mode: 'nearest' });
    expect(up.forward(x).shape).toEqual([2, 12, 8, 3]);
    x.dispose();
  });

  test('interpolate has gradients and does not leak; rejects bad options', async () => {
    const x = tf.tensor4d(seq(2 * 3 * 3 * 2), [2, 3, 3, 2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(interpolate(a, { scaleFactor: 2, mode: 'nearest' })))(x);
    expect((await vals(g)).every((v) => v === 4)).toBe(true);
    for (const mode of ['bilinear', 'bicubic'] as const) {
      const gb = tf.grad((a: tf.Tensor) => tf.sum(interpolate(a, { size: [5, 4], mode })))(x);
      // Rows of the interpolation matrices sum to 1, so the total gradient equals the output count.
      expect(Math.abs((await tf.sum(gb).data())[0] - 2 * 5 * 4 * 2)).toBeLessThan(1e-3);
      gb.dispose();
      await expectNoLeak(() => interpolate(x, { size: [5, 4], mode }).dispose());
    }
    expect(() => interpolate(x, { scaleFactor: 2, size: 4 })).toThrow(/exactly one/);
    expect(() => interpolate(x, { scaleFactor: 2, alignCorners: true })).toThrow(/alignCorners/);
    tf.dispose([x, g]);
  });

  test('maxPool2d / avgPool2d follow ATen (padding, ceil_mode, count_include_pad)', async () => {
    const [h, w, c] = [5, 6, 2];
    const data = seq(h * w * c, 5);
    const x = tf.tensor4d(data, [1, h, w, c]);
    const configs: [number, number, number, boolean][] = [
      [2, 2, 0, false],
      [2, 2, 0, true],
      [3, 2, 1, false],
      [3, 2, 1, true],
      [3, 1, 1, false],
    ];
    for (const [k, s, p, ceil] of configs) {
      const mx = refPool(data, [h, w, c], k, s, p, ceil, 'max');
      const m = maxPool2d(x, k, { stride: s, padding: p, ceilMode: ceil });
      expect(m.shape).toEqual(mx.shape);
      expect(await maxAbsDiff(m, mx.out)).toBe(0);
      for (const include of [true, false]) {
        const av = refPool(data, [h, w, c], k, s, p, ceil, 'avg', include);
        const a = avgPool2d(x, k, { stride: s, padding: p, ceilMode: ceil, countIncludePad: include });
        expect(a.shape).toEqual(av.shape);
        expect(await maxAbsDiff(a, av.out)).toBeLessThan(1e-6);
        a.dispose();
      }
      m.dispose();
    }
    // 5 with k=2, s=2, ceil: 3 windows, the last covers one pixel and divides by 1.
    expect(poolOutputSize(5, 2, 2, 0, true)).toBe(3);
    expect(poolOutputSize(5, 2, 2, 0, false)).toBe(2);
    const g = tf.grad((a: tf.Tensor) => tf.sum(avgPool2d(a, 2)))(x);
    expect(Math.abs((await tf.sum(g).data())[0] - 2 * 3 * c)).toBeLessThan(1e-4);
    const gm = tf.grad((a: tf.Tensor) => tf.sum(maxPool2d(a, 3, { stride: 2, padding: 1 })))(x);
    expect((await tf.sum(gm).data())[0]).toBeCloseTo(3 * 3 * c, 4);
    await expectNoLeak(() => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }).dispose());
    tf.dispose([x, g, gm]);
  });
});

describeBackends('bilinearResize (matrix-product bilinear)', () => {
  it('bilinearMatrix rows are the two taps of interpolate, summing to 1', () => {
    const a = bilinearMatrix(3, 7);
    for (let d = 0; d < 7; d++) {
      const r = Array.from(a.subarray(d * 3, d * 3 + 3));
      expect(r.filter((v) => v !== 0).length).toBeLessThanOrEqual(2);
      expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    expect(() => bilinearMatrix(0, 4)).toThrow(/positive integers/);
  });

  beforeAll(() => ensureGradients());

  it('equals interpolate(bilinear) when up- and down-sampling, with gradients and no leaks', async () => {
    const x = tf.tensor4d(seq(2 * 5 * 7 * 3, 3), [2, 5, 7, 3]);
    for (const size of [[9, 4], [3, 13], [5, 7]] as [number, number][]) {
      const y = await expectNoLeak(() => bilinearResize(x, size), 1);
      const ref = interpolate(x, { size, mode: 'bilinear' });
      expect(y.shape).toEqual([2, ...size, 3]);
      expect(await maxAbsDiff(y, ref)).toBeLessThan(1e-5);
      const [g, gRef] = [bilinearResize, (t: tf.Tensor4D, s: [number, number]) => interpolate(t, { size: s, mode: 'bilinear' })].map((f) =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D, size), tf.reshape(tf.range(0, y.size), y.shape))))(x),
      );
      expect(await maxAbsDiff(g, gRef)).toBeLessThan(1e-3);
      tf.dispose([y, ref, g, gRef]);
    }
    x.dispose();
  });
});
