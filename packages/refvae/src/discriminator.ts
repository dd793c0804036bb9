import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, InstanceNorm2d, Module, maxPool2d } from '@sr/core';

/** Outputs of {@link PatchDiscriminator.forward}: flattened features and patch scores of all scales. */
export type DiscriminatorOutput = {
  /** `[B, F]`: activations of every layer at every scale (used for feature matching). */
  feat: tf.Tensor2D;
  /** `[B, P]`: patch scores (1024 + 256 + 64 = 1344 for a 256² input). */
  prob: tf.Tensor2D;
};

/**
 * The multi-scale PatchGAN discriminator of the official code (`model.py: discriminator_v2`, base 32):
 * conv3×3 → LReLU(0.2), three [conv4×4 stride 2, InstanceNorm, LReLU(0.2)], conv3×3 → 1 score map;
 * applied to the image and to two max-pool(3, 2, 1) downscalings of it (paper §3.4 "PatchGAN").
 * Keys `input_conv`, `conv1…3`, `weight` as the official state dict; weights N(0, 0.02), biases 0.
 */
export class PatchDiscriminator extends Module {
  readonly input_conv: Conv2d;
  readonly conv1: Conv2d;
  readonly norm1: InstanceNorm2d;
  readonly conv2: Conv2d;
  readonly norm2: InstanceNorm2d;
  readonly conv3: Conv2d;
  readonly norm3: InstanceNorm2d;
  readonly weight: Conv2d;

  constructor(numChannels = 3, baseFilter = 32, seed?: number) {
    super();
    const b = baseFilter;
    this.input_conv = this.child('input_conv', new Conv2d(numChannels, b, 3, { padding: 1 }));
    this.conv1 = this.child('conv1', new Conv2d(b, b * 2, 4, { stride: 2, padding: 1 }));
    this.norm1 = this.child('norm1', new InstanceNorm2d(b * 2));
    this.conv2 = this.child('conv2', new Conv2d(b * 2, b * 4, 4, { stride: 2, padding: 1 }));
    this.norm2 = this.child('norm2', new InstanceNorm2d(b * 4));
    this.conv3 = this.child('conv3', new Conv2d(b * 4, b * 8, 4, { stride: 2, padding: 1 }));
    this.norm3 = this.child('norm3', new InstanceNorm2d(b * 8));
    this.weight = this.child('weight', new Conv2d(b * 8, 1, 3, { padding: 1 }));
    // Official init: conv weights ~ N(0, 0.02), biases 0.
    let s = seed ?? 0;
    for (const c of [this.input_conv, this.conv1, this.conv2, this.conv3, this.weight]) {
      tf.tidy(() => {
        c.weight.assign(tf.randomNormal(c.weight.shape, 0, 0.02, 'float32', seed === undefined ? undefined : s++));
        c.bias?.assign(tf.zerosLike(c.bias));
      });
    }
  }

  /** One scale (official `encode`). */
  private encodeScale(x: tf.Tensor4D): { feat: tf.Tensor2D; prob: tf.Tensor2D } {
    return tf.tidy(() => {
      const act = (t: tf.Tensor) => tf.leakyRelu(t, 0.2) as tf.Tensor4D;
      const feat = act(this.input_conv.forward(x));
      const o1 = act(this.norm1.forward(this.conv1.forward(feat)));
      const o2 = act(this.norm2.forward(this.conv2.forward(o1)));
      const o3 = act(this.norm3.forward(this.conv3.forward(o2)));
      const prob = this.weight.forward(o3);
      const b = x.shape[0];
      const flat = (t: tf.Tensor) => tf.reshape(t, [b, -1]);
      return { feat: tf.concat([feat, o1, o2, o3].map(flat), 1) as tf.Tensor2D, prob: flat(prob) as tf.Tensor2D };
    });
  }

  /** Scores and features at 3 scales (NHWC input in [0,1]). */
  forward(x: tf.Tensor4D): DiscriminatorOutput {
    return tf.tidy(() => {
      const s1 = this.encodeScale(x);
      const x2 = maxPool2d(x, 3, { stride: 2, padding: 1 });
      const s2 = this.encodeScale(x2);
      const s3 = this.encodeScale(maxPool2d(x2, 3, { stride: 2, padding: 1 }));
      return {
        feat: tf.concat([s1.feat, s2.feat, s3.feat], 1) as tf.Tensor2D,
        prob: tf.concat([s1.prob, s2.prob, s3.prob], 1) as tf.Tensor2D,
      };
    });
  }
}
