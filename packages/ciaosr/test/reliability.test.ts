/**
 * Reliability of the public upscaler: the tile memory plan (an oversized tile is reduced before any
 * work, the reduction is reported), output-size bounds, aborts fired from a timer, use after dispose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AbortError, fitTile, type MemoryLimits } from '@sr/core';
import { ciaosrTileItems } from '../src/memory-plan.js';
import { testImage, tinyUpscaler } from './helpers.js';

const wasmHeap: MemoryLimits = { backend: 'wasm', totalBytes: 3 * 2 ** 30 - 10e6, maxTensorBytes: 2 ** 31 - 1, source: 'WASM heap 4 GiB' };

describe('CiaoSR tile memory plan', () => {
  const shape = { h: 1024, w: 1024, H: 2048, W: 2048, margin: 16, rf: 35, channels: 64, hidden: 256, chunk: 2048 };
  test('the issue case (1024² ×2, tile 128, EDSR-baseline on WASM) is reduced to 64-pixel tiles', () => {
    // tile 128: window 160² → scores [25600 × 6400] = 625 MiB, ×4 alive: beyond the 3 GiB plannable heap
    const items = (t: number) => ciaosrTileItems({ ...shape, tile: t, whole: false });
    expect(items(128).find((i) => i.name.startsWith('attention scores'))!.bytes).toBe(25600 * 6400 * 4);
    const { tile, plan } = fitTile(128, 16, items, 'upscale', wasmHeap);
    expect(tile).toBe(64);
    expect(plan.totalBytes).toBeLessThan(1.5 * 2 ** 30);
  });
  test('a whole 1024² image in one tile cannot fit and is tiled', () => {
    const { tile } = fitTile(1024, 16, (t) => ciaosrTileItems({ ...shape, tile: t, whole: t >= 1024 }), 'upscale', wasmHeap);
    expect(tile).toBe(64);
  });
});

describe('upscaler reliability', () => {
  test('an oversized decode chunk is reduced and reported through onWarning; the result has the requested size', async () => {
    const sr = await tinyUpscaler();
    const warnings: string[] = [];
    // chunkSize 1e9 would need ~90 TB per decode step: reduced to what a quarter of the budget holds
    const out = await sr.upscale(testImage(6, 6), { scale: 2, chunkSize: 1e9, onWarning: (m) => warnings.push(m) });
    expect(out.toTensor().shape).toEqual([12, 12, 3]);
    expect(warnings.join('\n')).toMatch(/chunkSize 1000000000 needs .* per decode step; reduced to \d+/);
    out.dispose();
    sr.dispose();
  });

  test('absurd scales and sizes fail at once with E_OUTPUT_TOO_LARGE', async () => {
    const sr = await tinyUpscaler();
    const img = testImage(8, 8);
    const t0 = Date.now();
    await expect(sr.upscale(img, { scale: 1e9 })).rejects.toMatchObject({ code: 'E_OUTPUT_TOO_LARGE' });
    await expect(sr.upscale(img, { scale: { width: 1_000_000, height: 1_000 } })).rejects.toThrow(/1000000×1000 = 1000\.0 MP exceeds/);
    await expect(sr.upscale(img, { scale: 64, maxOutputPixels: 100_000 })).rejects.toThrow(/512×512/);
    expect(Date.now() - t0).toBeLessThan(2000);
    img.dispose();
    sr.dispose();
  });

  test('an AbortSignal fired from a timer stops the run within one chunk', async () => {
    const sr = await tinyUpscaler();
    const img = testImage(24, 24);
    const ac = new AbortController();
    let chunks = 0;
    setTimeout(() => ac.abort(), 50);
    const before = tf.memory().numTensors;
    await expect(
      sr.upscale(img, { scale: 4, tile: 8, chunkSize: 64, signal: ac.signal, onProgress: (p) => void (p.stage === 'decode' && chunks++) }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(chunks).toBeLessThan((96 * 96) / 64); // stopped long before the end
    expect(tf.memory().numTensors).toBe(before);
    img.dispose();
    sr.dispose();
  });

  test('upscale after dispose() is a clear E_DISPOSED error', async () => {
    const sr = await tinyUpscaler();
    sr.dispose();
    const img = testImage(4, 4);
    await expect(sr.upscale(img, { scale: 2 })).rejects.toMatchObject({ code: 'E_DISPOSED', message: expect.stringMatching(/used after dispose\(\)/) });
    img.dispose();
  });
});
