import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy, toFloat32 } from '@sr/core';
import { requireGoldenDir } from '@sr/testkit';
import { pilResize } from '../src/pil-resize.js';

/** The reference resize is PIL BILINEAR on uint8 (torchvision 0.14 `Resize((256,256))`). */
describe('pilResize', () => {
  test('matches the fixture ref_256 (PIL bilinear 64² → 256²) exactly', () => {
    const dir = requireGoldenDir('refvae_x8');
    const src = readNpy(fs.readFileSync(path.join(dir, 'ref_uint8.npy')));
    const ref = readNpy(fs.readFileSync(path.join(dir, 'ref_256.npy')));
    const [h, w, c] = src.shape;
    const [, , H, W] = ref.shape;
    const out = pilResize({ width: w, height: h, channels: c, data: src.data as Uint8Array }, W, H, 'bilinear');
    const expected = toFloat32(ref);
    let maxDiff = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let ch = 0; ch < c; ch++) {
          const got = out.data[(y * W + x) * c + ch];
          const want = Math.round(expected[(ch * H + y) * W + x] * 255);
          maxDiff = Math.max(maxDiff, Math.abs(got - want));
        }
    expect(maxDiff).toBe(0);
  });

  test('same size is a copy; downscale averages', () => {
    const img = { width: 4, height: 2, channels: 1, data: Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70]) };
    const same = pilResize(img, 4, 2);
    expect(Array.from(same.data)).toEqual(Array.from(img.data));
    expect(same.data).not.toBe(img.data);
    const half = pilResize(img, 2, 1, 'bilinear');
    expect(half.width).toBe(2);
    expect(half.height).toBe(1);
    expect(half.data.length).toBe(2);
  });
});
