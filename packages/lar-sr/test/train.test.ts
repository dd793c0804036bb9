import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@sr/core';
import { describeBackends } from '@sr/testkit';
import { LocalAR, TexVQVAE, createLarOptimizer, indexCrossEntropy, stage1Step, stage2Step } from '@sr/lar-sr';

describeBackends('training steps', () => {
  beforeAll(() => ensureGradients());

  test('cross-entropy equals −mean log softmax at the target', async () => {
    const logits = tf.tensor4d([1, 2, 3, 0, 0, 0], [1, 1, 2, 3]);
    const ids = tf.tensor3d([2, 0], [1, 1, 2], 'int32');
    const ce = (await indexCrossEntropy(logits, ids).data())[0]!;
    const ref = -((3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))) + (0 - Math.log(3))) / 2;
    expect(ce).toBeCloseTo(ref, 5);
    tf.dispose([logits, ids]);
  });

  test('stage 1 (reconstruction + β·commitment, EMA codebook) and stage 2 (CE) losses go down', async () => {
    const vq = new TexVQVAE({ channel: 8, nResBlock: 1, nResChannel: 4, embedDim: 4, nEmbed: 8 });
    const hr = tf.randomUniform([1, 16, 16, 3]) as tf.Tensor4D;
    const xc = tf.clipByValue(tf.add(hr, tf.randomNormal(hr.shape, 0, 0.1)), 0, 1) as tf.Tensor4D;
    const opt1 = createLarOptimizer(3e-3);
    const embed0 = (await vq.quantizeB.embed.data()).slice();
    const l1: number[] = [];
    for (let i = 0; i < 4; i++) l1.push((await stage1Step(vq, opt1, hr, xc, { beta: 0.25 })).total);
    expect(l1[3]!).toBeLessThan(l1[0]!);
    expect((await vq.quantizeB.embed.data())).not.toEqual(embed0); // EMA moved the codebook
    expect(vq.training).toBe(false);

    // Stage 2 on a batch of 2 (the U-Net bottom, 1×1 here, must keep more than one value per
    // BatchNorm channel). Gradients on the pure-JS cpu backend are slow: keep it tiny.
    const xc2 = tf.tidy(() => tf.concat([xc, tf.reverse(xc, 1)], 0)) as tf.Tensor4D;
    const ids = tf.tidy(() => vq.encode(xc2, xc2).indices);
    const lar = new LocalAR({ patchSize: 1, channel: 8, nEmbed: 8, block: 1 });
    const opt2 = createLarOptimizer(3e-3);
    const l2: number[] = [];
    for (let i = 0; i < 2; i++) l2.push(await stage2Step(lar, opt2, ids, xc2));
    expect(l2[1]!).toBeLessThan(l2[0]!);
    tf.dispose([hr, xc, xc2, ids]);
    opt1.dispose();
    opt2.dispose();
    vq.dispose();
    lar.dispose();
  });
});
