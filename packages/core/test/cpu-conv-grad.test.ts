import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, initBackend, useFastCpuConvGradients } from '@sr/core';
import { maxAbsDiff } from '@sr/testkit';

describe('fast cpu Conv2DBackpropFilter', () => {
  it('gives the stock kernel’s filter gradients (same/valid/explicit padding, strides 1 and 2)', async () => {
    await initBackend('cpu');
    await ensureGradients();
    const x = tf.randomUniform([2, 9, 11, 5], 0, 1, 'float32', 2) as tf.Tensor4D; // seeded: deterministic
    const cases: [number, number, 'same' | 'valid' | tf.backend_util.ExplicitPadding][] = [
      [3, 1, 'same'],
      [3, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]],
      [1, 1, 'valid'],
      [2, 2, 'valid'],
    ];
    const grads = () =>
      cases.map(([k, s, pad]) => {
        const w = tf.variable(tf.sin(tf.reshape(tf.range(0, k * k * 5 * 4), [k, k, 5, 4])) as tf.Tensor4D);
        const g = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, s, pad))))(w);
        w.dispose();
        return g;
      });
    const stock = grads();
    useFastCpuConvGradients();
    const fast = grads();
    for (let i = 0; i < cases.length; i++) {
      const scale = Math.max(...Array.from(await stock[i].data(), Math.abs));
      expect(await maxAbsDiff(fast[i], stock[i])).toBeLessThan(1e-5 * scale);
    }
    tf.dispose([x, ...stock, ...fast]);
  });
});
