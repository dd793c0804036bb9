import * as fs from 'node:fs';
import * as path from 'node:path';
import { coordAxis, readNpy, roundHalfEven, toFloat32 } from '@sr/core';
import { goldenRoot } from '@sr/testkit';
import { queryArrays, nearestIndex } from '../src/geometry.js';

const dir = (name = 'ciaosr-edsr') => path.join(goldenRoot(), name);

describe('CiaoSR query geometry', () => {
  test('round-half-even and ties', () => {
    expect([0.5, 1.5, 2.5, 2.4, 2.6, 3.5].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3, 4]);
    expect(nearestIndex(0, 16)).toBe(8); // ix = 7.5 → 8
    expect(nearestIndex(0, 14)).toBe(6); // ix = 6.5 → 6
  });

  test('boundary columns of the low-scale case pick the pixel PyTorch picks (issue #20)', () => {
    // HR col 25 of 45 over 30 LR cols is exactly 16.5; make_coord gives x = 0.13333338, PyTorch's float32
    // (x + 1)·15 − 0.5 = 16.500002 → 17 (a single rounding of x·15 + 14.5 gives the tie 16.5 → 16).
    expect(nearestIndex(coordAxis(45)[25], 30)).toBe(17);
    expect(nearestIndex(coordAxis(45)[31], 30)).toBe(21);
    expect(nearestIndex(coordAxis(45)[37], 30)).toBe(25);
    // HR col 25 of 51 is the exact centre 0, which make_coord gives as 5.96e-8: x + 1 rounds to 1, so
    // PyTorch sees the tie 14.5 → 14 (one rounding of x·15 + 14.5 gives 14.500001 → 15).
    expect(coordAxis(51)[25]).toBe(5.960464477539063e-8);
    expect(nearestIndex(coordAxis(51)[25], 30)).toBe(14);
    expect(nearestIndex(coordAxis(51)[42], 30)).toBe(25);
    expect(nearestIndex(coordAxis(57)[47], 30)).toBe(25);
  });

  test.each(['ciaosr-edsr', 'ciaosr-edsr-lowscale'])('%s: coordinates equal the official make_coord bit for bit (HR grids of every run)', (name) => {
    const json = JSON.parse(fs.readFileSync(path.join(dir(name), 'case.json'), 'utf8'));
    for (const [key, run] of Object.entries<any>(json.runs)) {
      const [H, W] = run.hr_hw;
      const [h, w] = run.lr_hw;
      expect([roundHalfEven(h * run.scale), roundHalfEven(w * run.scale)]).toEqual([H, W]);
      const ref = toFloat32(readNpy(fs.readFileSync(path.join(dir(name), `coord_${key}.npy`))));
      const ys = coordAxis(H);
      const xs = coordAxis(W);
      let bad = 0;
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) if (ref[2 * (i * W + j)] !== ys[i] || ref[2 * (i * W + j) + 1] !== xs[j]) bad++;
      expect(bad).toBe(0);
      const cell = toFloat32(readNpy(fs.readFileSync(path.join(dir(name), `cell_${key}.npy`))));
      expect(cell[0]).toBe(Math.fround(2 / H));
      expect(cell[1]).toBe(Math.fround(2 / W));
    }
  });

  test('query arrays: neighbours surround the query, weights sum to 1', () => {
    const qa = queryArrays({ geom: { h: 5, w: 7, H: 17, W: 9 }, rows: [0, 8, 16], cols: [0, 4, 8], oy: 0, ox: 0, wh: 5, ww: 7, base: 0 });
    expect(qa.count).toBe(9);
    for (let q = 0; q < 9; q++) {
      const s = qa.bW[4 * q] + qa.bW[4 * q + 1] + qa.bW[4 * q + 2] + qa.bW[4 * q + 3];
      expect(Math.abs(s - 1)).toBeLessThan(1e-6);
      for (let v = 0; v < 4; v++) {
        const row = v * 9 + q;
        expect(Math.abs(qa.ext[4 * row])).toBeLessThanOrEqual(2 + 1e-5);
        expect(Math.abs(qa.ext[4 * row + 1])).toBeLessThanOrEqual(2 + 1e-5);
      }
    }
  });
});
