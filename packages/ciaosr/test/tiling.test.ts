import * as tf from '@tensorflow/tfjs-core';
import { MmeditEDSR, expectNoLeak, planTiles, runTiled } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';

describe('planTiles', () => {
  test('cores cover the image exactly; patches add the overlap, clipped', () => {
    const tiles = planTiles(10, 7, { tile: 4, overlap: 2 });
    expect(tiles.length).toBe(3 * 2);
    const seen = new Uint8Array(70);
    for (const t of tiles)
      for (let y = t.core.y0; y < t.core.y1; y++) for (let x = t.core.x0; x < t.core.x1; x++) seen[y * 7 + x]++;
    expect([...seen].every((v) => v === 1)).toBe(true);
    expect(tiles[0].patch).toEqual({ y0: 0, x0: 0, y1: Math.min(10, tiles[0].core.y1 + 2), x1: Math.min(7, tiles[0].core.x1 + 2) });
    expect(planTiles(5, 5, { tile: Infinity, overlap: 3 }).length).toBe(1);
  });
});

describeBackends('runTiled', () => {
  test('crop mode with overlap ≥ receptive field equals the untiled encoder; no leaks', async () => {
    const enc = new MmeditEDSR({ midChannels: 4, numBlocks: 1, encoder: true }); // receptive field 4
    const x = tf.randomUniform([1, 13, 11, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const full = enc.encode(x);
    const tiled = await expectNoLeak(() => runTiled(x, (p) => enc.encode(p), { tile: 5, overlap: enc.receptiveField }), 1);
    expect(await maxAbsDiff(full, tiled)).toBeLessThan(1e-5);
    // integer-scale operator, blend mode: nearest ×2 is local, so blending changes nothing
    const up = (p: tf.Tensor4D) => tf.image.resizeNearestNeighbor(p, [p.shape[1] * 2, p.shape[2] * 2]) as tf.Tensor4D;
    const ref = up(x);
    const blended = await runTiled(x, up, { tile: 4, overlap: 2, scale: 2, mode: 'blend' });
    expect(await maxAbsDiff(ref, blended)).toBeLessThan(1e-6);
    tf.dispose([x, full, tiled, ref, blended]);
    enc.dispose();
  });
});

describeBackends('CrossScaleAttention windowed', () => {
  test('forwardWindowed equals forward when the window covers the map; bounded change otherwise', async () => {
    const { CrossScaleAttention } = await import('../src/index.js');
    const attn = new CrossScaleAttention(8);
    const x = tf.randomNormal([1, 9, 11, 8], 0, 1, 'float32', 5) as tf.Tensor4D;
    const full = attn.forward(x);
    const same = await attn.forwardWindowed(x, { tile: 4, margin: 16 });
    expect(await maxAbsDiff(full, same)).toBeLessThan(1e-5);
    const win = await attn.forwardWindowed(x, { tile: 4, margin: 2 });
    expect(win.shape).toEqual(full.shape);
    tf.dispose([x, full, same, win]);
    attn.dispose();
  });
});
