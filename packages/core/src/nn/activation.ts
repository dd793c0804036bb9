import * as tf from '@tensorflow/tfjs-core';
import { Module, type Callable } from './module.js';
import { constantInit } from './init.js';

/** `torch.nn.ReLU`. */
export class ReLU extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/** `torch.nn.LeakyReLU` (default slope 0.01; ESRGAN uses 0.2). */
export class LeakyReLU extends Module implements Callable {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.leakyRelu(x, this.negativeSlope);
  }
}

/**
 * `torch.nn.PReLU`: learned slope, one shared (`numSlopes = 1`, the PyTorch default) or one per
 * channel (last NHWC axis).
 */
export class PReLU extends Module implements Callable {
  readonly weight: tf.Variable;
  constructor(readonly numSlopes = 1, init = 0.25) {
    super();
    this.weight = this.param('weight', [numSlopes], constantInit(init));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pos = tf.relu(x);
      const neg = tf.mul(this.weight, tf.neg(tf.relu(tf.neg(x))));
      return tf.add(pos, neg);
    });
  }
}

/** `torch.nn.Sigmoid`. */
export class Sigmoid extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }
}

/** `torch.nn.Tanh`. */
export class Tanh extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}
