import * as tf from '@tensorflow/tfjs-core';
import { interpolate } from '@sr/core';
import type { Lpips } from '@sr/metrics';

/**
 * RefVAE training losses (paper §3.4, eqs. 4–8; official `main_GAN.py`, `model.py: Vgg19_feat`,
 * `calc_mean_std`). Every function is differentiable and returns a scalar; `reduction` picks the
 * paper's mean or the official code's `L1Loss(size_average=False)` sum.
 * @module
 */

/** `'mean'` (paper, scale-free) or `'sum'` (official `size_average=False`). */
export type Reduction = 'mean' | 'sum';

/** A perceptual distance between SR and HR in [0,1] (e.g. LPIPS), returning a scalar. */
export type PerceptualLoss = (sr: tf.Tensor4D, hr: tf.Tensor4D) => tf.Scalar;

/** L1 between two tensors of the same shape. */
export function l1(a: tf.Tensor, b: tf.Tensor, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(a, b));
    return reduction === 'sum' ? tf.sum(d) : tf.mean(d);
  });
}

/**
 * Per-channel mean and std over H×W (official `calc_mean_std`): unbiased variance + 1e-5, then sqrt.
 * Returns `[B, C]` each.
 */
export function meanStd(feat: tf.Tensor4D, eps = 1e-5): { mean: tf.Tensor2D; std: tf.Tensor2D } {
  return tf.tidy(() => {
    const [b, h, w, c] = feat.shape;
    const n = h * w;
    const flat = tf.reshape(feat, [b, n, c]);
    const mean = tf.mean(flat, 1) as tf.Tensor2D;
    const sq = tf.sum(tf.square(tf.sub(flat, tf.expandDims(mean, 1))), 1);
    const variance = tf.div(sq, Math.max(n - 1, 1));
    return { mean, std: tf.sqrt(tf.add(variance, eps)) as tf.Tensor2D };
  });
}

/**
 * Style loss (paper eq. 7; official `Vgg19_feat.forward`): Σ over layers of
 * L1(mean(A), mean(B)) + L1(std(A), std(B)), channel statistics of VGG features.
 */
export function styleLoss(a: tf.Tensor4D[], b: tf.Tensor4D[], reduction: Reduction = 'mean'): tf.Scalar {
  if (a.length !== b.length) throw new Error(`styleLoss: ${a.length} vs ${b.length} feature maps`);
  return tf.tidy(() => {
    const terms = a.map((fa, i) => {
      const sa = meanStd(fa);
      const sb = meanStd(b[i]);
      // The reference may be a single image for a batch: broadcast its statistics.
      const mb = sb.mean.shape[0] === sa.mean.shape[0] ? sb.mean : tf.broadcastTo(sb.mean, sa.mean.shape);
      const vb = sb.std.shape[0] === sa.std.shape[0] ? sb.std : tf.broadcastTo(sb.std, sa.std.shape);
      return tf.add(l1(sa.mean, mb, reduction), l1(sa.std, vb, reduction));
    });
    return tf.addN(terms) as tf.Scalar;
  });
}

/**
 * Total variation (paper eq. 8): Σ((x[i,j−1]−x[i,j])² + (x[i−1,j]−x[i,j])²)^β over the
 * (H−1)×(W−1) grid where both differences exist (mean or sum). β is not given in the paper (default 1).
 */
export function tvLoss(x: tf.Tensor4D, beta = 1, reduction: Reduction = 'mean'): tf.Scalar {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const base = tf.slice(x, [0, 1, 1, 0], [-1, h - 1, w - 1, -1]);
    const left = tf.slice(x, [0, 1, 0, 0], [-1, h - 1, w - 1, -1]);
    const up = tf.slice(x, [0, 0, 1, 0], [-1, h - 1, w - 1, -1]);
    const g = tf.add(tf.square(tf.sub(left, base)), tf.square(tf.sub(up, base)));
    const p = beta === 1 ? g : tf.pow(tf.add(g, 1e-12), beta);
    return reduction === 'sum' ? tf.sum(p) : tf.mean(p);
  });
}

/** PyTorch bicubic resize by a factor (no antialias), the official `F.interpolate(…, mode='bicubic')`. */
export function bicubicScale(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  return interpolate(x, { scaleFactor: factor, mode: 'bicubic' });
}

/**
 * Official multi-scale pixel loss `SR_L1`: L1 at full, ½ and ¼ resolution (bicubic of both images).
 */
export function multiScaleL1(sr: tf.Tensor4D, hr: tf.Tensor4D, reduction: Reduction = 'sum'): tf.Scalar {
  return tf.tidy(() =>
    tf.addN([l1(sr, hr, reduction), l1(bicubicScale(sr, 0.5), bicubicScale(hr, 0.5), reduction), l1(bicubicScale(sr, 0.25), bicubicScale(hr, 0.25), reduction)]),
  ) as tf.Scalar;
}

/**
 * LPIPS as a loss, through `@sr/metrics` (official: `lpips.LPIPS(net='alex', spatial=True)` on
 * `2x−1` inputs, then the mean of the spatial map). Inputs are in [0,1].
 */
export function lpipsLoss(lpips: Lpips, opts: { spatial?: boolean } = {}): PerceptualLoss {
  const spatial = opts.spatial ?? true;
  return (sr, hr) =>
    tf.tidy(() => {
      const out = lpips.forward(sr, hr, { normalize: true, spatial });
      return spatial && out.map ? tf.mean(out.map) : tf.mean(out.value);
    });
}
