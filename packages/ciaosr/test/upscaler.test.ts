import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AbortError, InputError, decodeImage, expectNoLeak } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { createUpscaler, outputSize, type Upscaler } from '../src/index.js';
import { testImage, testPng, tinyUpscaler } from './helpers.js';

describe('outputSize', () => {
  test('Python round-half-even, asymmetric and explicit sizes', () => {
    expect(outputSize(16, 16, 3.3)).toEqual([53, 53]);
    expect(outputSize(5, 5, 2.5)).toEqual([12, 12]); // round(12.5) = 12
    expect(outputSize(13, 19, 2.4)).toEqual([31, 46]);
    expect(outputSize(4, 6, [2, 3.5])).toEqual([8, 21]);
    expect(outputSize(4, 6, { width: 13, height: 4 })).toEqual([4, 13]);
  });
  test('invalid scales are clear errors', () => {
    for (const s of [1, 0.5, 0, -2, NaN, Infinity, [2, 1]] as any[]) expect(() => outputSize(4, 4, s)).toThrow(InputError);
    expect(() => outputSize(4, 4, { width: 3, height: 8 })).toThrow(/at least the input size/);
    expect(() => outputSize(4, 4, { width: 4, height: 4 })).toThrow(InputError);
    expect(() => outputSize(4, 4, undefined as any)).toThrow(/scale is required/);
  });
});

describeBackends('upscaler', () => {
  let sr: Upscaler;
  beforeAll(async () => {
    sr = await tinyUpscaler();
  });
  afterAll(() => sr.dispose());

  test('tiled equals untiled when the attention window covers the image (max |Δ| ≤ 1e-5)', async () => {
    const img = testImage(12, 13);
    const full = await sr.upscale(img, { scale: 2.3, tile: Infinity });
    const tiled = await sr.upscale(img, { scale: 2.3, tile: 4, attentionMargin: 64, chunkSize: 97 });
    const [a, b] = [full.toTensor(), tiled.toTensor()];
    expect(a.shape).toEqual([28, 30, 3]);
    expect(await maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5);
    // Default windowed attention (core ± 16): only F̃ differs, and only near tile seams.
    const win = await sr.upscale(img, { scale: 2.3, tile: 4, attentionMargin: 2 });
    const c = win.toTensor();
    const d = await maxAbsDiff(a, c);
    console.log(`tiled (tile 4, attention margin 2) vs untiled: max |Δ| = ${d.toExponential(2)}`);
    expect(d).toBeLessThan(0.05);
    // Features of the whole image encoded once (the default) or per window patch: the same output.
    const perPatch = await sr.upscale(img, { scale: 2.3, tile: 4, attentionMargin: 2, shareFeatures: false });
    const e = perPatch.toTensor();
    expect(await maxAbsDiff(c, e)).toBeLessThan(1e-5);
    tf.dispose([a, b, c, e, img]);
    [full, tiled, win, perPatch].forEach((o) => o.dispose());
  });

  test('scales: non-integer, asymmetric, exact size, out-of-distribution ×12 and ×30, tiny images', async () => {
    const cases: [number, number, any, [number, number]][] = [
      [5, 7, 1.7, [8, 12]],
      [4, 6, [2, 3.5], [8, 21]],
      [4, 6, { width: 13, height: 5 }, [5, 13]],
      [2, 3, 12, [24, 36]],
      [1, 1, 30, [30, 30]],
      [1, 2, 3, [3, 6]],
    ];
    for (const [h, w, scale, [H, W]] of cases) {
      const img = testImage(h, w);
      const out = await sr.upscale(img, { scale });
      expect([out.height, out.width]).toEqual([H, W]);
      const t = out.toTensor();
      expect((await t.data()).every((v) => v >= 0 && v <= 1)).toBe(true);
      tf.dispose([t, img]);
      out.dispose();
    }
  });

  test('alpha survives (bicubic-resized) and gray inputs become RGB', async () => {
    const rgba = tf.tidy(() => tf.concat([testImage(6, 6), tf.fill([6, 6, 1], 0.5)], 2));
    const out = await sr.upscale(rgba, { scale: 2.5 });
    expect(out.channels).toBe(4);
    const t = out.toTensor();
    const alphaT = tf.slice(t, [0, 0, 3], [15, 15, 1]);
    const alpha = await alphaT.data();
    alphaT.dispose();
    expect(alpha.every((v) => Math.abs(v - 0.5) < 1e-5)).toBe(true);
    const imgData = await out.toImageData();
    expect([imgData.width, imgData.height, imgData.data[3]]).toEqual([15, 15, 128]);
    const gray = testImage(5, 5, 1);
    const g = await sr.upscale(gray, { scale: 2 });
    expect(g.channels).toBe(3);
    tf.dispose([rgba, t, gray]);
    out.dispose();
    g.dispose();
  });

  test('inputs: int32 tensor, ImageData, PNG bytes, a file path; toPNG round trip', async () => {
    const f = testImage(5, 6);
    const png = await testPng(5, 6);
    const int = tf.tidy(() => tf.cast(tf.round(tf.mul(f, 255)), 'int32'));
    const data = new Uint8ClampedArray(5 * 6 * 4).fill(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ciaosr-')), 'in.png');
    fs.writeFileSync(file, png);
    for (const input of [int, { width: 6, height: 5, data }, png, png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength), file]) {
      const out = await sr.upscale(input as any, { scale: 2 });
      expect([out.height, out.width]).toEqual([10, 12]);
      const back = await decodeImage(await out.toPNG());
      expect([back.height, back.width]).toEqual([10, 12]);
      out.dispose();
    }
    tf.dispose([f, int]);
  });

  test('bad inputs are clear InputErrors', async () => {
    const bad: [any, RegExp][] = [
      [tf.zeros([0, 5, 3]), /empty/],
      [tf.zeros([4, 4, 5]), /channels/],
      [tf.fill([4, 4, 3], NaN), /NaN/],
      [tf.fill([4, 4, 3], 7), /\[0, 1\]/],
      [tf.zeros([2, 4, 4, 3]), /\[h, w, C\]/],
      [new Uint8Array(0), /empty/],
      [{ foo: 1 }, /unsupported image input/],
    ];
    for (const [input, re] of bad) {
      await expect(sr.upscale(input, { scale: 2 })).rejects.toThrow(re);
      await expect(sr.upscale(input, { scale: 2 })).rejects.toBeInstanceOf(InputError);
      if (input instanceof tf.Tensor) input.dispose();
    }
    const img = testImage(4, 4);
    await expect(sr.upscale(img, { scale: NaN })).rejects.toThrow(InputError);
    await expect(sr.upscale(img, { scale: 1 })).rejects.toThrow(/> 1/);
    await expect(sr.upscale(img, { scale: 2, tile: 1 })).rejects.toThrow(/tile/);
    img.dispose();
  });

  test('no tensor leaks across upscale calls (including failing ones)', async () => {
    const img = testImage(9, 7);
    await sr.upscale(img, { scale: 2 }).then((o) => o.dispose()); // warm-up (backend-internal caches)
    await expectNoLeak(async () => {
      for (const opts of [{ scale: 2.7 }, { scale: 3, tile: 4, chunkSize: 50 }]) (await sr.upscale(img, opts)).dispose();
      await sr.upscale(img, { scale: 0.5 }).catch(() => undefined);
    });
    img.dispose();
  });

  test('AbortSignal aborts (before start and mid-run) and releases everything', async () => {
    const img = testImage(12, 12);
    const ac = new AbortController();
    ac.abort();
    await expect(sr.upscale(img, { scale: 2, signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    await expectNoLeak(async () => {
      const mid = new AbortController();
      let calls = 0;
      const p = sr.upscale(img, {
        scale: 3,
        tile: 4,
        chunkSize: 20,
        signal: mid.signal,
        onProgress: (e) => {
          if (e.stage === 'decode' && ++calls === 3) mid.abort();
        },
      });
      await expect(p).rejects.toBeInstanceOf(AbortError);
      expect(calls).toBe(3);
    });
    img.dispose();
  });

  test('missing weights: clear error unless default weights are installed', async () => {
    const has = fs.existsSync(path.join(__dirname, '..', 'weights', 'default.safetensors'));
    if (has) return; // another issue ships them; then createUpscaler() must load them (checked in cli test)
    await expect(createUpscaler({ backbone: 'edsr-baseline' })).rejects.toThrow(/no weights given/);
  });
});
