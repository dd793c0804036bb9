import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { createLocalSR, selectPatches, mulberry32, lambdaAt, cosineLr, pimChannels } from '../src/index.js';
import { testImage } from './helpers.js';

const tiny = { backboneConfig: { channels: 8, blocks: 2, growth: 4 }, padding: 2, numPatches: 6, gcmStages: 1 } as const;

describeBackends('createLocalSR', () => {
  it('prepare once, many regions; results convert to tensor/ImageData/PNG; no leaks', async () => {
    const x = testImage(18, 22);
    const local = await createLocalSR({ backbone: 'edsr', ...tiny });
    await expect(local.upscaleRegion({ x: 0, y: 0, width: 2, height: 2 })).rejects.toThrow(/prepare/);
    await expectNoLeak(async () => {
      await local.prepare(x);
      const rs = await local.upscaleRegions([{ x: 0, y: 0, width: 5, height: 4 }, { x: 17, y: 14, width: 5, height: 4 }]);
      expect(rs[1].width).toBe(20);
      expect(rs[1].height).toBe(16);
      const t = rs[0].toTensor();
      expect(t.shape).toEqual([16, 20, 3]);
      const png = await rs[0].toPNG();
      expect(Array.from(png.slice(1, 4))).toEqual([80, 78, 71]);
      const id = await rs[1].toImageData();
      expect(id.data.length).toBe(20 * 16 * 4);
      t.dispose();
      rs.forEach((r) => r.dispose());
      local.release();
    });
    const [empty, bright] = [tf.zeros([1, 0, 4, 3]), tf.fill([4, 4, 3], 2)];
    await expect(local.prepare(empty)).rejects.toThrow(/empty/);
    await expect(local.prepare(bright)).rejects.toThrow(/\[0, 1\]/);
    tf.dispose([empty, bright]);
    x.dispose();
    local.dispose();
  });

  it('loads a plain backbone checkpoint into the base branch and a CLSR checkpoint into everything', async () => {
    const x = testImage(14, 16, 4);
    const roi = { x: 3, y: 4, width: 6, height: 5 };
    const a = await createLocalSR({ backbone: 'rrdb', ...tiny });
    const b = await createLocalSR({ backbone: 'rrdb', ...tiny, weights: await a.model.base.module.stateDict() });
    await a.prepare(x);
    await b.prepare(x);
    const [pa, pb] = [await a.preCrop(roi), await b.preCrop(roi)];
    expect(await maxAbsDiff(pa.toTensor(), pb.toTensor())).toBe(0);
    const c = await createLocalSR({ backbone: 'rrdb', ...tiny, weights: await a.model.stateDict() });
    await c.prepare(x);
    const [ra, rc] = [await a.upscaleRegion(roi), await c.upscaleRegion(roi)];
    expect(await maxAbsDiff(ra.toTensor(), rc.toTensor())).toBe(0);
    [pa, pb, ra, rc].forEach((r) => r.dispose());
    [a, b, c].forEach((m) => m.dispose());
    x.dispose();
  });
});

describe('options and schedules (plain JS)', () => {
  it('GCM patch sampling: uniform lattice, deterministic at inference, seeded jitter in training', () => {
    const s = selectPatches(60, 120, 6, 50);
    expect(s.gridH * s.gridW).toBe(200);
    expect(s.ys.length).toBeLessThanOrEqual(50);
    expect(s.ys.length).toBeGreaterThanOrEqual(40);
    expect(selectPatches(60, 120, 6, 50)).toEqual(s);
    const r1 = selectPatches(60, 120, 6, 50, mulberry32(3));
    expect(selectPatches(60, 120, 6, 50, mulberry32(3))).toEqual(r1);
    expect(r1).not.toEqual(s);
    expect(selectPatches(12, 12, 6, 50).ys).toEqual([0, 0, 6, 6]);
    expect(() => selectPatches(5, 40, 6, 4)).toThrow(/smaller than one 6×6/);
  });
  it('λ decays from 0.5 to 0; cosine lr; c′ rounding', () => {
    expect(lambdaAt(0, 11)).toBe(0.5);
    expect(lambdaAt(5, 11)).toBeCloseTo(0.25);
    expect(lambdaAt(10, 11)).toBe(0);
    expect(lambdaAt(10, 11, 0.5, 'cosine')).toBeCloseTo(0);
    expect(cosineLr(0, 100, 1e-4)).toBe(1e-4);
    expect(cosineLr(99, 100, 1e-4)).toBeCloseTo(0);
    expect(pimChannels(64)).toBe(6);
    expect(pimChannels(180)).toBe(18);
    expect(pimChannels(8)).toBe(4);
  });
});
