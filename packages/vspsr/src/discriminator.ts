/**
 * The official VSpSR discriminator (`models/vspsr.py`, used with LSGAN, notes §2.1): conv4×4/2 3→64,
 * BN, LeakyReLU (slope 0.2 here: the notes do not record it); conv4×4/2 64→128, BN, LReLU; conv1×1 128→256, BN, LReLU; conv1×1 256→512, BN,
 * LReLU; conv1×1 512→1, sigmoid; mean over the spatial map. Used only to train the built-in weights.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, LeakyReLU, Module, Sequential, Sigmoid } from '@sr/core';

/** Patch discriminator; `forward` returns the per-image mean probability `[B]`. */
export class VSpSRDiscriminator extends Module {
  readonly net: Sequential;
  constructor() {
    super();
    this.net = this.child('net', new Sequential());
    const specs: [number, number, number, number, number][] = [
      [3, 64, 4, 2, 1],
      [64, 128, 4, 2, 1],
      [128, 256, 1, 1, 0],
      [256, 512, 1, 1, 0],
    ];
    let i = 0;
    for (const [cin, cout, k, s, p] of specs) {
      this.net.add(String(i++), new Conv2d(cin, cout, k, { stride: s, padding: p }));
      this.net.add(String(i++), new BatchNorm2d(cout));
      this.net.add(String(i++), new LeakyReLU(0.2));
    }
    this.net.add(String(i++), new Conv2d(512, 1, 1));
    this.net.add(String(i++), new Sigmoid());
  }
  forward(x: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => tf.mean(this.net.forward(x), [1, 2, 3]) as tf.Tensor1D);
  }
}
