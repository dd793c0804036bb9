import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, oneHotFloat } from '@sr/core';
import { describeBackends } from '@sr/testkit';

describeBackends('oneHotFloat', () => {
  test('float32 ones and zeros on every backend (tfjs-wasm oneHot(…, "float32") writes int bits); no leaks', async () => {
    const ids = tf.tensor1d([2, 0, 1], 'int32');
    const oh = await expectNoLeak(() => oneHotFloat(ids, 3), 1);
    expect(oh.dtype).toBe('float32');
    expect(Array.from(await oh.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    tf.dispose([ids, oh]);
  });
});
