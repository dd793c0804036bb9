import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, type Callable } from './module.js';

function check4d(x: tf.Tensor, fn: string): tf.Tensor4D {
  if (x.rank !== 4) throw new InputError(`${fn} expects an NHWC rank-4 tensor, got shape [${x.shape}]`);
  return x as tf.Tensor4D;
}

function checkFactor(r: number, fn: string): void {
  if (!Number.isInteger(r) || r < 1) throw new InputError(`${fn}: factor must be a positive integer, got ${r}`);
}

/**
 * `torch.nn.functional.pixel_shuffle` on NHWC: `[n, h, w, C·r²]` → `[n, h·r, w·r, C]` with PyTorch's
 * channel order `out[c, r·y+i, r·x+j] = in[c·r² + i·r + j, y, x]` (Shi et al. 2016, ESPCN).
 *
 * Implemented with reshape/transpose rather than `tf.depthToSpace`: depthToSpace orders the input
 * channels as `(i·r + j)·C + c` (TensorFlow's convention, which would scramble official weights) and
 * has no gradient in tfjs 4.22.
 */
export function pixelShuffle(x: tf.Tensor, r: number): tf.Tensor4D {
  checkFactor(r, 'pixelShuffle');
  const t = check4d(x, 'pixelShuffle');
  if (r === 1) return tf.clone(t);
  const [n, h, w, cr2] = t.shape;
  if (cr2 % (r * r)) throw new InputError(`pixelShuffle(r=${r}): channels ${cr2} are not divisible by r² = ${r * r}`);
  const c = cr2 / (r * r);
  return tf.tidy(() => {
    const a = tf.reshape(t, [n, h, w, c, r, r]); // channel = (c, i, j), c slowest
    const b = tf.transpose(a, [0, 1, 4, 2, 5, 3]); // [n, h, i, w, j, c]
    return tf.reshape(b, [n, h * r, w * r, c]);
  });
}

/**
 * `torch.nn.functional.pixel_unshuffle` on NHWC, the inverse of {@link pixelShuffle}:
 * `[n, h·r, w·r, C]` → `[n, h, w, C·r²]` with `out[c·r² + i·r + j, y, x] = in[c, r·y+i, r·x+j]`.
 * BasicSR's RRDBNet applies it to ×2/×1 inputs.
 */
export function pixelUnshuffle(x: tf.Tensor, r: number): tf.Tensor4D {
  checkFactor(r, 'pixelUnshuffle');
  const t = check4d(x, 'pixelUnshuffle');
  if (r === 1) return tf.clone(t);
  const [n, hr, wr, c] = t.shape;
  if (hr % r || wr % r) throw new InputError(`pixelUnshuffle(r=${r}): spatial size ${hr}×${wr} is not divisible by ${r}`);
  const h = hr / r;
  const w = wr / r;
  return tf.tidy(() => {
    const a = tf.reshape(t, [n, h, r, w, r, c]); // [n, h, i, w, j, c]
    const b = tf.transpose(a, [0, 1, 3, 5, 2, 4]); // [n, h, w, c, i, j]
    return tf.reshape(b, [n, h, w, c * r * r]);
  });
}

/** `torch.nn.PixelShuffle` module (parameter-free); see {@link pixelShuffle}. */
export class PixelShuffle extends Module implements Callable {
  constructor(readonly upscaleFactor: number) {
    super();
    checkFactor(upscaleFactor, 'PixelShuffle');
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return pixelShuffle(x, this.upscaleFactor);
  }
}

/** `torch.nn.PixelUnshuffle` module (parameter-free); see {@link pixelUnshuffle}. */
export class PixelUnshuffle extends Module implements Callable {
  constructor(readonly downscaleFactor: number) {
    super();
    checkFactor(downscaleFactor, 'PixelUnshuffle');
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
}
