import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { pasteByTransposedConv, pasteDown, pasteFolded, pasteSpan } from '../src/attention-paste.js';

describeBackends('cross-scale attention paste: folded = official transposed convolution', () => {
  test('every region of a window (edges, interior, odd sizes, one pixel); no leaks', async () => {
    const [hp, wp, c] = [10, 12, 4];
    const L = (hp / 2) * (wp / 2);
    const all = tf.softmax(tf.randomNormal([hp, wp, L], 0, 3, 'float32', 1)) as tf.Tensor3D;
    const taps = tf.randomNormal([36, L, c], 0, 1, 'float32', 2) as tf.Tensor3D;
    const down = { weight: tf.randomNormal([3, 3, c, c], 0, 0.3, 'float32', 3) as tf.Tensor4D, bias: tf.randomNormal([c], 0, 1, 'float32', 4) as tf.Tensor1D };
    for (const r of [
      { y0: 0, x0: 0, y1: hp, x1: wp },
      { y0: 0, x0: 0, y1: 9, x1: 11 }, // odd map (the last padded row/column is never output)
      { y0: 0, x0: 3, y1: 4, x1: 9 },
      { y0: 2, x0: 0, y1: 7, x1: 5 },
      { y0: 3, x0: 4, y1: 8, x1: 10 },
      { y0: 5, x0: 6, y1: 10, x1: 12 },
      { y0: 1, x0: 1, y1: 2, x1: 2 },
      { y0: 0, x0: 0, y1: 1, x1: 1 },
    ]) {
      const sy = pasteSpan(r.y0, r.y1, hp);
      const sx = pasteSpan(r.x0, r.x1, wp);
      const scores = tf.slice(all, [sy.q0, sx.q0, 0], [sy.q1 - sy.q0, sx.q1 - sx.q0, L]);
      const ref = pasteByTransposedConv(scores, taps, sy, sx, down);
      expect(ref.shape).toEqual([1, r.y1 - r.y0, r.x1 - r.x0, c]);
      const y = await expectNoLeak(() => pasteDown(scores, taps, sy, sx, down, { h: hp, w: wp }), 1);
      expect(await maxAbsDiff(ref, y)).toBeLessThan(1e-5);
      if (r.y0 > 0 && r.x0 > 0) {
        // away from the first row/column the folded operator alone is exact
        const f = pasteFolded(scores, taps, sy, sx, down);
        expect(await maxAbsDiff(ref, f)).toBeLessThan(1e-5);
        f.dispose();
      }
      tf.dispose([scores, ref, y]);
    }
    tf.dispose([all, taps, down.weight, down.bias]);
  });
});
