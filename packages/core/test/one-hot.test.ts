import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, oneHotFloat } from '@sr/core';
import { describeBackends } from '@sr/testkit';

describeBackends('oneHotFloat', () => {
  test('float32 ones and zeros on every backend (tfjs-wasm oneHot(…, "float32") writes int bits); no leaks', async () => {
    const ids = tf.tensor1d([2, 0, 1], 'int32');
    const oh = await expectNoLeak(() => oneHotFloat(ids, 3), 1);
    expect(oh.dtype).toBe('float32');
    expect(Array.from(await oh.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    // any shape and an integer-valued float dtype, as the VQ codebook's index maps come: flattened
    const grid = tf.tensor2d([[1, 0], [2, 1]], [2, 2], 'float32');
    const og = oneHotFloat(grid, 3);
    expect(og.shape).toEqual([4, 3]);
    expect(Array.from(await og.data())).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
    tf.dispose([ids, oh, grid, og]);
  });
});
