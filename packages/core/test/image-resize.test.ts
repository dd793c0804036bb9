import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, imresize, imresizeArray, readImage, readNpy, resizeWeights, type ImageArray } from '@sr/core';
import { describeBackends, sharedRoot } from '@sr/testkit';

const dir = () => path.join(sharedRoot(), 'fixtures', 'metrics');
const expected = () => {
  const f = path.join(dir(), 'expected.json');
  if (!fs.existsSync(f)) throw new Error(`fixture missing: ${f} (put ../shared beside the repository)`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
};
const NAMES = ['baboon', 'baby', 'bird', 'butterfly', 'head', 'woman'];

const toFloat = (img: ImageArray) => ({ ...img, data: Float64Array.from(img.data, (v) => v / 255) });
const roundU8 = (x: ArrayLike<number>) => Uint8Array.from(x, (v) => Math.min(255, Math.max(0, Math.round(v * 255))));

/** Share of identical samples and the max difference between two uint8 arrays. */
function compareU8(a: Uint8Array, b: Uint8Array) {
  expect(a.length).toBe(b.length);
  let same = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d === 0) same++;
    if (d > max) max = d;
  }
  return { identical: same / a.length, max };
}

describe('resizeWeights (BasicSR calculate_weights_indices)', () => {
  for (const key of ['in16_out4_scale0.25', 'in4_out16_scale4']) {
    it(key, () => {
      const ref = expected().imresize_weights_1d[key];
      const [inLen, outLen, scale] = key === 'in16_out4_scale0.25' ? [16, 4, 0.25] : [4, 16, 4];
      const rw = resizeWeights(inLen, outLen, scale, true);
      expect(rw.taps).toBe(ref.weights[0].length);
      expect(rw.symLenStart).toBe(ref.sym_len_start);
      expect(rw.symLenEnd).toBe(ref.sym_len_end);
      for (let o = 0; o < outLen; o++)
        for (let k = 0; k < rw.taps; k++) {
          expect(Math.abs(rw.weights[o * rw.taps + k]! - ref.weights[o][k])).toBeLessThan(1e-6);
          expect(rw.paddedIndices[o * rw.taps + k]).toBe(ref.indices_into_padded[o][k]);
        }
    });
  }
  it('mirrors symmetrically and rows sum to 1 for odd scales', () => {
    const rw = resizeWeights(7, 3, 3 / 7);
    for (let o = 0; o < 3; o++) {
      let s = 0;
      for (let k = 0; k < rw.taps; k++) s += rw.weights[o * rw.taps + k]!;
      expect(s).toBeCloseTo(1, 12);
    }
    for (const i of rw.indices) expect(i >= 0 && i < 7).toBe(true);
    expect(() => resizeWeights(0, 3, 1)).toThrow(/positive integers/);
  });
});

describe('imresizeArray (plain JS, float64) reproduces BasicSR fixtures', () => {
  for (const name of NAMES) {
    it(`${name}: ×1/4 float within 1e-5, uint8 LR and ×4 bicubic PNGs`, async () => {
      const hr = await readImage(path.join(dir(), `${name}_hr.png`));
      const lrRef = readNpy(fs.readFileSync(path.join(dir(), `${name}_lr_x4_float.npy`)));
      const lr = imresizeArray(toFloat(hr), 1 / 4);
      expect([lr.height, lr.width, lr.channels]).toEqual(lrRef.shape);
      let max = 0;
      const ref = lrRef.data as Float32Array;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(lr.data[i]! - ref[i]!));
      expect(max).toBeLessThan(1e-5);

      const lrPng = await readImage(path.join(dir(), `${name}_lr_x4.png`));
      const c1 = compareU8(roundU8(lr.data), lrPng.data as Uint8Array);
      expect(c1.identical).toBeGreaterThanOrEqual(0.9999);
      expect(c1.max).toBeLessThanOrEqual(1);

      const up = imresizeArray(toFloat(lrPng), 4);
      expect([up.height, up.width]).toEqual([hr.height, hr.width]);
      const bicPng = await readImage(path.join(dir(), `${name}_bicubic_x4.png`));
      const c2 = compareU8(roundU8(up.data), bicPng.data as Uint8Array);
      expect(c2.identical).toBeGreaterThanOrEqual(0.9999);
      expect(c2.max).toBeLessThanOrEqual(1);
      if (name === 'butterfly') {
        const f = readNpy(fs.readFileSync(path.join(dir(), 'butterfly_bicubic_x4_float.npy'))).data as Float32Array;
        let m = 0;
        for (let i = 0; i < f.length; i++) m = Math.max(m, Math.abs(up.data[i]! - f[i]!));
        expect(m).toBeLessThan(1e-5);
      }
    });
  }

  it('handles non-integer scales, explicit sizes and tiny images', () => {
    const img = { data: Float64Array.from({ length: 5 * 7 * 2 }, (_, i) => (i * 37) % 11), height: 5, width: 7, channels: 2 };
    const a = imresizeArray(img, 0.6);
    expect([a.height, a.width]).toEqual([3, 5]);
    const b = imresizeArray(img, { height: 9, width: 4 });
    expect([b.height, b.width]).toEqual([9, 4]);
    const one = imresizeArray({ data: [3, 3, 3], height: 1, width: 1, channels: 3 }, 3);
    expect(Array.from(one.data).every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
    // constant images stay constant at any scale
    const flat = imresizeArray({ data: new Float64Array(6 * 6).fill(0.25), height: 6, width: 6, channels: 1 }, 1.7);
    expect(Math.max(...Array.from(flat.data, (v) => Math.abs(v - 0.25)))).toBeLessThan(1e-12);
    expect(() => imresizeArray({ data: [], height: 0, width: 3, channels: 1 }, 2)).toThrow(/empty/);
    expect(() => imresizeArray(img, -1)).toThrow(/positive/);
  });
});

describeBackends('imresize (tfjs)', () => {
  it('matches the float fixture (baboon ×1/4 within 1e-5) and the ×4 bicubic PNG', async () => {
    const hr = await readImage(path.join(dir(), 'baboon_hr.png'));
    const ref = readNpy(fs.readFileSync(path.join(dir(), 'baboon_lr_x4_float.npy'))).data as Float32Array;
    const x = tf.tensor4d(Float32Array.from(hr.data, (v) => v / 255), [1, hr.height, hr.width, 3]);
    const lr = await expectNoLeak(() => imresize(x, 0.25), 1);
    expect(lr.shape).toEqual([1, 120, 123, 3]);
    const d = await lr.data();
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(d[i]! - ref[i]!));
    expect(max).toBeLessThan(1e-5);
    const lrPng = await readImage(path.join(dir(), 'baboon_lr_x4.png'));
    const lt = tf.tensor4d(Float32Array.from(lrPng.data, (v) => v / 255), [1, 120, 123, 3]);
    const up = imresize(lt, 4);
    const bic = await readImage(path.join(dir(), 'baboon_bicubic_x4.png'));
    const c = compareU8(roundU8(await up.data()), bic.data as Uint8Array);
    expect(c.identical).toBeGreaterThanOrEqual(0.9999);
    expect(c.max).toBeLessThanOrEqual(1);
    tf.dispose([x, lr, lt, up]);
  });

  it('agrees with imresizeArray for non-integer scales and the per-pass uint8 variant', async () => {
    const h = 13, w = 10, c = 3;
    const u8 = Uint8Array.from({ length: h * w * c }, (_, i) => (i * 97 + 13) % 256);
    const x = tf.tensor4d(Float32Array.from(u8, (v) => v / 255), [1, h, w, c]);
    for (const [s, method] of [[0.37, 'auto'], [1.5, 'gather'], [{ height: 7, width: 17 }, 'dense'], [{ height: 7, width: 17 }, 'gather']] as const) {
      const t = await expectNoLeak(() => imresize(x, s, { method }), 1);
      const a = imresizeArray({ data: Float64Array.from(u8, (v) => v / 255), height: h, width: w, channels: c }, s);
      expect(t.shape).toEqual([1, a.height, a.width, c]);
      const d = await t.data();
      let m = 0;
      for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]! - a.data[i]!));
      expect(m).toBeLessThan(1e-5);
      t.dispose();
    }
    // batches: each item resized independently, dense and gather paths alike
    const x2 = tf.concat([x, tf.reverse(x, 1)], 0) as tf.Tensor4D;
    for (const method of ['dense', 'gather'] as const) {
      const b = imresize(x2, 0.7, { method });
      const single = imresize(tf.slice(x2, [1, 0, 0, 0], [1, h, w, c]), 0.7);
      const bd = await b.data();
      const sd = await single.data();
      let m = 0;
      for (let i = 0; i < sd.length; i++) m = Math.max(m, Math.abs(bd[sd.length + i]! - sd[i]!));
      expect(m).toBeLessThan(1e-6);
      tf.dispose([b, single]);
    }
    x2.dispose();
    const q = await expectNoLeak(() => imresize(x, 0.5, { roundEachPass: true }), 1);
    const qa = imresizeArray({ data: u8, height: h, width: w, channels: c }, 0.5, { roundEachPass: true });
    const qd = await q.data();
    let diff = 0;
    for (let i = 0; i < qd.length; i++) diff = Math.max(diff, Math.abs(qd[i]! * 255 - qa.data[i]!));
    expect(diff).toBeLessThanOrEqual(1 + 1e-4);
    tf.dispose([x, q]);
  });

  it('rejects bad input', () => {
    const x = tf.zeros([1, 0, 4, 3]) as tf.Tensor4D;
    expect(() => imresize(x, 2)).toThrow(/empty/);
    const y = tf.zeros([4, 3]) as unknown as tf.Tensor4D;
    expect(() => imresize(y, 2)).toThrow(/rank 4/);
    tf.dispose([x, y]);
  });
});
