import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, interpolate } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { ZeroInitDownsampler, ZeroInitUpsampler, disposeContext, postCrop, preCrop, runBackbone, type BackboneKind, type Roi } from '../src/index.js';
import { randomiseContextParts, testImage, tinyClsr } from './helpers.js';

const H = 20;
const W = 26;
/** Centre, corners, edges, a 1×1 ROI and the whole image. */
const ROIS: Roi[] = [
  { x: 9, y: 7, width: 6, height: 5 },
  { x: 0, y: 0, width: 4, height: 4 },
  { x: W - 5, y: H - 3, width: 5, height: 3 },
  { x: 0, y: 8, width: 3, height: 7 },
  { x: W - 1, y: 0, width: 1, height: 1 },
  { x: 0, y: 0, width: W, height: H },
];

describeBackends('CLSR', () => {
  for (const kind of ['edsr', 'rrdb'] as BackboneKind[]) {
    describe(kind, () => {
      it('with GCM and PIM switched off reduces exactly to the backbone on the padded ROI (pre-cropping)', async () => {
        const m = tinyClsr(kind);
        randomiseContextParts(m);
        m.useGcm = false;
        m.usePim = false;
        const x = testImage(H, W);
        for (const roi of ROIS.slice(0, 4)) {
          const out = m.forward(x, roi);
          const ref = preCrop(m.base, x, roi, m.padding);
          expect(out.roi.shape).toEqual([1, 4 * roi.height, 4 * roi.width, 3]);
          expect(await maxAbsDiff(out.roi, ref)).toBe(0);
          tf.dispose([out.roi, ref]);
        }
        x.dispose();
        m.dispose();
      });

      it('at initialisation (zero fuse conv, zero PIM gates) equals pre-cropping although both branches run', async () => {
        const m = tinyClsr(kind);
        const x = testImage(H, W, 3);
        const roi = ROIS[0];
        const out = m.forward(x, roi, { withContextOutput: true });
        const ref = preCrop(m.base, x, roi, m.padding);
        expect(await maxAbsDiff(out.roi, ref)).toBeLessThan(1e-6);
        expect(out.context?.shape).toEqual([1, 4 * H, 4 * W, 3]);
        tf.dispose([out.roi, out.context as tf.Tensor, ref, x]);
        m.dispose();
      });

      it('prepared-context region SR equals the direct forward (edges, corners, 1×1, whole image)', async () => {
        const m = tinyClsr(kind);
        randomiseContextParts(m);
        const x = testImage(H, W, 5);
        const cache = m.prepare(x);
        for (const roi of ROIS) {
          const direct = m.forward(x, roi);
          const region = m.forwardRegion(cache, roi);
          const ref = preCrop(m.base, x, roi, m.padding);
          expect(await maxAbsDiff(region, direct.roi)).toBeLessThan(1e-5);
          // The context branches really contribute (otherwise the equality above would be vacuous).
          expect(await maxAbsDiff(region, ref)).toBeGreaterThan(1e-4);
          tf.dispose([direct.roi, region, ref]);
        }
        disposeContext(cache);
        x.dispose();
        m.dispose();
      });

      it('post-cropping (tiled) equals the backbone on the whole image, cropped', async () => {
        const m = tinyClsr(kind, { gcm: false, pim: false });
        const x = testImage(H, W, 9);
        const roi = ROIS[0];
        const full = runBackbone(m.base, x);
        const ref = tf.slice(full, [0, 4 * roi.y, 4 * roi.x, 0], [1, 4 * roi.height, 4 * roi.width, 3]);
        const tiled = await postCrop(m.base, x, roi, { tile: 8 });
        expect(await maxAbsDiff(tiled, ref)).toBeLessThan(1e-5);
        tf.dispose([full, ref, tiled, x]);
        m.dispose();
      });

      it('leaks no tensors (forward, prepare, region, release)', async () => {
        const m = tinyClsr(kind);
        const x = testImage(H, W);
        await expectNoLeak(() => {
          const o = m.forward(x, ROIS[1], { withContextOutput: true });
          tf.dispose([o.roi, o.context as tf.Tensor]);
        });
        await expectNoLeak(() => {
          const c = m.prepare(x);
          tf.dispose([m.forwardRegion(c, ROIS[0]), m.forwardRegion(c, ROIS[2])]);
          disposeContext(c);
        });
        x.dispose();
        m.dispose();
      });
    });
  }

  it('zero-initialised down/up samplers reproduce plain bilinear resizing at init', async () => {
    const z8 = testImage(7, 10, 11, 8);
    const down = new ZeroInitDownsampler(8, 2);
    const d = down.forward(z8);
    expect(d.shape).toEqual([1, 4, 5, 8]);
    const dRef = interpolate(z8, { size: [4, 5], mode: 'bilinear' });
    expect(await maxAbsDiff(d, dRef)).toBeLessThan(1e-6);
    const up = new ZeroInitUpsampler(8, 2);
    const u = up.forward(d, [7, 10]);
    const uRef = interpolate(d, { size: [7, 10], mode: 'bilinear' });
    expect(u.shape).toEqual([1, 7, 10, 8]);
    expect(await maxAbsDiff(u, uRef)).toBeLessThan(1e-6);
    // Once the convs learn something, the output departs from bilinear (the residual design).
    tf.tidy(() => down.conv.weight.assign(tf.onesLike(down.conv.weight)));
    const d2 = down.forward(z8);
    expect(await maxAbsDiff(d2, dRef)).toBeGreaterThan(0.1);
    tf.dispose([z8, d, dRef, u, uRef, d2]);
    down.dispose();
    up.dispose();
  });

  it('rejects ROIs outside the image, empty or fractional ones', async () => {
    const m = tinyClsr('edsr');
    const x = testImage(H, W);
    const bad: [Roi, RegExp][] = [
      [{ x: -1, y: 0, width: 4, height: 4 }, /outside/],
      [{ x: W - 3, y: 0, width: 4, height: 4 }, /outside/],
      [{ x: 0, y: H, width: 1, height: 1 }, /outside/],
      [{ x: 2, y: 2, width: 0, height: 4 }, /empty/],
      [{ x: 1.5, y: 2, width: 3, height: 4 }, /integer/],
    ];
    const c = m.prepare(x);
    for (const [roi, re] of bad) {
      expect(() => m.forward(x, roi)).toThrow(re);
      expect(() => m.forwardRegion(c, roi)).toThrow(re);
    }
    disposeContext(c);
    x.dispose();
    m.dispose();
  });
});
