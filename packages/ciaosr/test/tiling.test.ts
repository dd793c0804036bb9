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

describeBackends('CrossScaleAttention.forwardRegion', () => {
  test('equals forward cropped to the region (odd sizes, borders, interior); no leaks', async () => {
    const { CrossScaleAttention } = await import('../src/index.js');
    const attn = new CrossScaleAttention(8);
    const x = tf.randomNormal([1, 13, 11, 8], 0, 1, 'float32', 6) as tf.Tensor4D;
    const full = attn.forward(x);
    for (const r of [
      { y0: 0, x0: 0, y1: 13, x1: 11 },
      { y0: 0, x0: 0, y1: 5, x1: 4 },
      { y0: 3, x0: 2, y1: 9, x1: 7 },
      { y0: 8, x0: 6, y1: 13, x1: 11 },
      { y0: 5, x0: 5, y1: 6, x1: 6 },
    ]) {
      const part = await expectNoLeak(() => attn.forwardRegion(x, r), 1);
      const ref = tf.slice(full, [0, r.y0, r.x0, 0], [1, r.y1 - r.y0, r.x1 - r.x0, 8]);
      expect(await maxAbsDiff(ref, part)).toBeLessThan(1e-5);
      tf.dispose([part, ref]);
    }
    expect(() => attn.forwardRegion(x, { y0: 0, x0: 0, y1: 14, x1: 11 })).toThrow(/not inside 13×11/);
    tf.dispose([x, full]);
    attn.dispose();
  });
});

describeBackends('CiaoSR decoder logit tables', () => {
  test('decode with the tables equals the plain decode, on a region of the map; no leaks', async () => {
    const { CiaoSRHead, disposeMaps, fillQueries } = await import('../src/index.js');
    const head = new CiaoSRHead({ channels: 8, hiddenList: [16, 16] });
    const feat = tf.randomNormal([1, 9, 10, 8], 0, 1, 'float32', 8) as tf.Tensor4D;
    const lr = tf.randomUniform([1, 9, 10, 3], -0.5, 0.5, 'float32', 9) as tf.Tensor4D;
    const region = { y0: 2, x0: 3, y1: 8, x1: 9 };
    const nl = head.nonLocal(feat, region);
    const plain = head.prepare(feat, nl, lr, { region });
    const tables = await expectNoLeak(() => head.prepare(feat, nl, lr, { region, logitTables: true }), 7);
    // HR pixels of ×3.5 whose containing LR pixel is in the region's interior (rows 3…6, columns 4…7)
    const geom = { h: 9, w: 10, H: 31, W: 35 };
    const ys: number[] = [];
    const xs: number[] = [];
    for (let Y = 11; Y < 24; Y++) for (let X = 14; X < 28; X++) (ys.push(Y), xs.push(X));
    const qa = fillQueries({ geom, oy: region.y0, ox: region.x0, wh: 6, ww: 6, base: 0 }, Int32Array.from(ys), Int32Array.from(xs));
    const a = head.decode(plain, qa);
    const b = await expectNoLeak(() => head.decode(tables, qa), 1);
    expect(await maxAbsDiff(a, b)).toBeLessThan(1e-5);
    tf.dispose([feat, lr, nl, a, b]);
    disposeMaps(plain);
    disposeMaps(tables);
    head.dispose();
  });
});
