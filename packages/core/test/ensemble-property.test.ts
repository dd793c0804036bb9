import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { ENSEMBLE_SHIFTS, coordAxis, ensembleNeighbours } from '@sr/core';
import { describeBackends, liifAxisFetch, makeCoordAxisF32 } from '@sr/testkit';

// Property test of LIIF/LTE's shifted nearest sampling (issue #20): for random LR sizes and output
// sizes up to ×30, the 4 neighbours `ensembleNeighbours` picks (tensor ops on the backend) and their
// rel coordinates equal a step-by-step float32 model of the official PyTorch arithmetic (@sr/testkit
// reference: make_coord, `v·rx + 1e-6`, clamp, grid_sample's unnormalisation, round-half-to-even).

test('coordAxis is make_coord in float32, bit for bit', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
      const a = coordAxis(n);
      const b = makeCoordAxisF32(n);
      return a.every((v, i) => v === b[i]);
    }),
    { numRuns: 300, seed: 22 },
  );
});

describeBackends(
  'LIIF/LTE ensemble neighbours equal PyTorch float32 arithmetic (property)',
  () => {
    test('random LR size, output size up to ×30, random HR rows and columns', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 40 }).chain((h) => fc.tuple(fc.constant(h), fc.integer({ min: h + 1, max: 30 * h }))),
          fc.integer({ min: 1, max: 40 }).chain((w) => fc.tuple(fc.constant(w), fc.integer({ min: w + 1, max: 30 * w }))),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), { minLength: 1, maxLength: 64 }),
          async ([h, H], [w, W], picks) => {
            const ys = makeCoordAxisF32(H);
            const xs = makeCoordAxisF32(W);
            const hr = picks.map(([a, b]) => [Math.floor(a * H), Math.floor(b * W)]);
            const Q = hr.length;
            const data = new Float32Array(2 * Q);
            hr.forEach(([Y, X], q) => data.set([ys[Y], xs[X]], 2 * q));
            const coord = tf.tensor3d(data, [1, Q, 2]);
            const nb = ensembleNeighbours(coord, h, w);
            const [iy, ix, rel] = await Promise.all([nb.iy.data(), nb.ix.data(), nb.relCoord.data()]);
            tf.dispose([coord, nb.iy, nb.ix, nb.relCoord]);
            hr.forEach(([Y, X], q) => {
              const fy = liifAxisFetch(ys[Y], h);
              const fx = liifAxisFetch(xs[X], w);
              ENSEMBLE_SHIFTS.forEach(([vy, vx], k) => {
                const row = k * Q + q;
                const want = [vy < 0 ? fy.minus : fy.plus, vx < 0 ? fx.minus : fx.plus, vy < 0 ? fy.relMinus : fy.relPlus, vx < 0 ? fx.relMinus : fx.relPlus];
                const got = [iy[row], ix[row], rel[2 * row], rel[2 * row + 1]];
                if (got.some((g, i) => g !== want[i])) throw new Error(`${h}×${w}→${H}×${W}, HR (${Y}, ${X}), shift (${vy}, ${vx}): got [${got}], PyTorch [${want}]`);
              });
            });
          },
        ),
        { numRuns: 200, seed: 23 },
      );
    });
  },
);
