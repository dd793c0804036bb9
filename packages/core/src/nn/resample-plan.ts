/**
 * Per-axis resampling plans of `interpolate` and `bilinearMatrix`: which source
 * pixels each output pixel reads along one axis, and with which weights — ATen's index arithmetic.
 * Internal to @sr/core (not exported from the package index).
 * @module
 */
import type { InterpolateMode } from './interpolate.js';

/** Per-axis resampling plan: output i = Σ_t weights[t][i] · input[indices[t][i]]. */
export interface AxisPlan {
  indices: Int32Array[];
  weights: Float32Array[] | null;
}

const f32 = Math.fround;

/** PyTorch's `compute_scales_value` / `area_pixel_compute_scale` in float32. */
function sourceScale(inSize: number, outSize: number, scale: number | undefined, alignCorners: boolean): number {
  if (alignCorners) return outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  return scale !== undefined && scale > 0 ? f32(1 / scale) : f32(inSize / outSize);
}

/** Keys's cubic convolution with A = −0.75 (PyTorch `cubic_convolution1/2`). */
function cubicWeights(t: number): number[] {
  const A = -0.75;
  const cc1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const cc2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)];
}

/**
 * Index arithmetic of ATen's upsample kernels (UpSample.h, PyTorch 1.13), float32 where ATen uses
 * float: nearest `min(floor(dst·scale), in−1)`; nearest-exact `floor((dst+0.5)·scale)`; linear and
 * cubic `scale·(dst+0.5) − 0.5` (clamped at 0 for linear only) or `scale·dst` with align_corners;
 * cubic taps clamp their indices to the border.
 */
export function axisPlan(inSize: number, outSize: number, scale: number | undefined, mode: InterpolateMode, alignCorners: boolean): AxisPlan {
  const last = inSize - 1;
  if (mode === 'nearest' || mode === 'nearest-exact') {
    const s = sourceScale(inSize, outSize, scale, false);
    const idx = new Int32Array(outSize);
    for (let d = 0; d < outSize; d++) {
      const src = mode === 'nearest' ? f32(d * s) : f32((d + 0.5) * s);
      idx[d] = Math.min(Math.floor(src), last);
    }
    return { indices: [idx], weights: null };
  }
  const s = sourceScale(inSize, outSize, scale, alignCorners);
  const taps = mode === 'bilinear' ? 2 : 4;
  const indices = Array.from({ length: taps }, () => new Int32Array(outSize));
  const weights = Array.from({ length: taps }, () => new Float32Array(outSize));
  for (let d = 0; d < outSize; d++) {
    let src = alignCorners ? f32(s * d) : f32(s * (d + 0.5) - 0.5);
    if (mode === 'bilinear') {
      if (src < 0) src = 0;
      const i0 = Math.min(Math.floor(src), last);
      const lambda = Math.min(Math.max(f32(src - i0), 0), 1);
      indices[0][d] = i0;
      indices[1][d] = i0 < last ? i0 + 1 : i0;
      weights[0][d] = 1 - lambda;
      weights[1][d] = lambda;
    } else {
      const i0 = Math.floor(src);
      const w = cubicWeights(f32(src - i0));
      for (let t = 0; t < 4; t++) {
        indices[t][d] = Math.min(Math.max(i0 - 1 + t, 0), last);
        weights[t][d] = w[t];
      }
    }
  }
  return { indices, weights };
}
