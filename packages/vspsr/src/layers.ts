/**
 * Small parameter-free pieces of the official VSpM that `@sr/core` has no module for: the global
 * average pool / flatten / unflatten chain at the end of the basis branch (`nn.AdaptiveAvgPool2d(1)`,
 * `nn.Flatten()`, `nn.Unflatten(1, (C, 1, 1))`), and PyTorch's `.detach()`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, type Callable } from '@sr/core';

/** `nn.AdaptiveAvgPool2d(1)` on NHWC: `[n, h, w, c]` → `[n, 1, 1, c]`. */
export class GlobalAvgPool2d extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2], true);
  }
}

/** `nn.Flatten()` after a 1×1 spatial map: `[n, 1, 1, c]` → `[n, c]` (same order as NCHW flatten). */
export class Flatten extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank === 4 && (x.shape[1] !== 1 || x.shape[2] !== 1))
      throw new Error(`Flatten: NHWC flatten only matches PyTorch's order for 1×1 maps, got [${x.shape}]`);
    return tf.reshape(x, [x.shape[0], -1]);
  }
}

/** `nn.Unflatten(1, (c, 1, 1))`: `[n, c]` → NHWC `[n, 1, 1, c]`. */
export class Unflatten1x1 extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], 1, 1, -1]);
  }
}

/**
 * PyTorch's `.detach()`: the value passes through, the gradient is zero. tfjs-core has no
 * `stopGradient`, so this is a custom gradient returning zeros.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((a: unknown) => ({ value: tf.clone(a as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return f(x) as T;
}
