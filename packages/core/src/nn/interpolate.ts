import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, type Callable } from './module.js';
import { axisPlan, type AxisPlan } from './resample-plan.js';

/** Resampling kernels of {@link interpolate}, named as in `torch.nn.functional.interpolate`. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'bilinear' | 'bicubic';

/** Options of {@link interpolate}; exactly one of `size` and `scaleFactor` must be given. */
export interface InterpolateOptions {
  /** Output `[H, W]` (or one number for both). */
  size?: number | [number, number];
  /** Multiplier(s) for `[H, W]`; the output size is `floor(in · scaleFactor)`. */
  scaleFactor?: number | [number, number];
  /** Default `'nearest'`, as in PyTorch. */
  mode?: InterpolateMode;
  /** PyTorch's `align_corners` (bilinear/bicubic only; default false). */
  alignCorners?: boolean;
  /**
   * PyTorch's `recompute_scale_factor`: when true, the source index uses `in/out` even if
   * `scaleFactor` was given. Default false, i.e. `1/scaleFactor` is used (which differs from `in/out`
   * when `in · scaleFactor` is not an integer).
   */
  recomputeScaleFactor?: boolean;
}

function applyPlan(x: tf.Tensor4D, plan: AxisPlan, axis: 1 | 2): tf.Tensor4D {
  const outSize = plan.indices[0].length;
  let acc: tf.Tensor4D | null = null;
  for (let t = 0; t < plan.indices.length; t++) {
    const g = tf.gather(x, tf.tensor1d(plan.indices[t], 'int32'), axis) as tf.Tensor4D;
    if (!plan.weights) return g;
    const wShape: [number, number, number, number] = axis === 1 ? [1, outSize, 1, 1] : [1, 1, outSize, 1];
    const term = tf.mul(g, tf.tensor4d(plan.weights[t], wShape)) as tf.Tensor4D;
    acc = acc ? (tf.add(acc, term) as tf.Tensor4D) : term;
  }
  return acc as tf.Tensor4D;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * `torch.nn.functional.interpolate` for NHWC images, index-exact with PyTorch 1.13's CPU kernels:
 * legacy `'nearest'` (`floor(dst·scale)`, not round), `'nearest-exact'`, `'bilinear'` (half-pixel
 * centres unless `alignCorners`) and `'bicubic'` (A = −0.75, border-clamped taps). As in PyTorch, a
 * given `scaleFactor` is used as `1/scaleFactor` for source indices unless `recomputeScaleFactor`.
 * Implemented with gathers and per-axis weights (separable), so it has gradients on every backend
 * that implements `gather`'s gradient.
 */
export function interpolate(x: tf.Tensor, opts: InterpolateOptions): tf.Tensor4D {
  if (x.rank !== 4) throw new InputError(`interpolate expects an NHWC rank-4 tensor, got shape [${x.shape}]`);
  const mode = opts.mode ?? 'nearest';
  const alignCorners = opts.alignCorners ?? false;
  if (!['nearest', 'nearest-exact', 'bilinear', 'bicubic'].includes(mode)) throw new InputError(`interpolate: unknown mode '${mode}'`);
  if (alignCorners && mode.startsWith('nearest')) throw new InputError('interpolate: alignCorners only applies to bilinear/bicubic (PyTorch raises too)');
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new InputError('interpolate: give exactly one of size and scaleFactor');
  const [, h, w] = x.shape;
  let out: [number, number];
  let scales: [number | undefined, number | undefined] = [undefined, undefined];
  if (opts.size !== undefined) {
    out = pair(opts.size);
  } else {
    const sf = pair(opts.scaleFactor as number | [number, number]);
    if (!(sf[0] > 0 && sf[1] > 0)) throw new InputError(`interpolate: scaleFactor must be positive, got [${sf}]`);
    out = [Math.floor(h * sf[0]), Math.floor(w * sf[1])];
    if (!opts.recomputeScaleFactor) scales = sf;
  }
  if (!(out[0] >= 1 && out[1] >= 1 && Number.isInteger(out[0]) && Number.isInteger(out[1])))
    throw new InputError(`interpolate: output size [${out}] must be positive integers (input ${h}×${w})`);
  if (h < 1 || w < 1) throw new InputError(`interpolate: empty input [${x.shape}]`);
  return tf.tidy(() => {
    const rows = applyPlan(x as tf.Tensor4D, axisPlan(h, out[0], scales[0], mode, alignCorners), 1);
    return applyPlan(rows, axisPlan(w, out[1], scales[1], mode, alignCorners), 2);
  });
}

/** `torch.nn.Upsample`: a parameter-free module around {@link interpolate}. */
export class Upsample extends Module implements Callable {
  constructor(readonly options: InterpolateOptions) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return interpolate(x, this.options);
  }
}
