import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy, toFloat32 } from '@sr/core';
import { goldenRoot } from '@sr/testkit';
import { opencvCemFilters } from '../src/cem/opencv-kernel.js';

function ref(name: string): Float32Array {
  const f = path.join(goldenRoot(), 'vspsr_cem', `${name}.npy`);
  if (!fs.existsSync(f)) throw new Error(`missing fixture ${f}`);
  return toFloat32(readNpy(fs.readFileSync(f)));
}

test('official CEM filters (×4) equal the fixture', () => {
  const f = opencvCemFilters(4);
  for (const [name, got] of [
    ['cem_downscale_filter', f.downscale],
    ['cem_upscale_filter', f.upscale],
    ['cem_inv_hTh', f.invHTh],
  ] as const) {
    const r = ref(name);
    expect(got.size * got.size).toBe(r.length);
    let m = 0;
    for (let i = 0; i < r.length; i++) m = Math.max(m, Math.abs(r[i] - got.data[i]));
    console.log(name, got.size, m);
    expect(m).toBeLessThan(1e-5);
  }
});
