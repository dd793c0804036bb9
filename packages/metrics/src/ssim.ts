/**
 * SSIM with BasicSR's conventions (`calculate_ssim` → `_ssim`, which matches Wang et al.'s original
 * MATLAB `ssim_index`): 11×11 Gaussian window σ = 1.5, valid region only, C1 = (0.01·255)²,
 * C2 = (0.03·255)², float64; colour SSIM = mean of the per-channel SSIMs.
 * @module
 */
import { prepare, type FidelityOptions } from './psnr.js';
import { toPixels, type MetricInput, type Pixels } from './input.js';
import { InputError } from '@sr/core';

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
const K = 11;
const R = 5;

/** `cv2.getGaussianKernel(11, 1.5)` (float64): exp(−x²/(2σ²)) for x = −5..5, normalised to sum 1. */
export function gaussianWindow1d(size = K, sigma = 1.5): Float64Array {
  const w = new Float64Array(size);
  let s = 0;
  for (let i = 0; i < size; i++) {
    const x = i - (size - 1) / 2;
    w[i] = Math.exp((-0.5 / (sigma * sigma)) * x * x);
    s += w[i]!;
  }
  for (let i = 0; i < size; i++) w[i]! /= s;
  return w;
}

const G = gaussianWindow1d();

/**
 * Valid-region Gaussian filtering of one channel (the window is an outer product, so rows then
 * columns): `cv2.filter2D(img, -1, window)[5:-5, 5:-5]`.
 */
function filterValid(src: Float64Array, h: number, w: number): Float64Array {
  const ow = w - 2 * R;
  const oh = h - 2 * R;
  const tmp = new Float64Array(h * ow);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const base = y * w + x;
      for (let k = 0; k < K; k++) s += G[k]! * src[base + k]!;
      tmp[y * ow + x] = s;
    }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += G[k]! * tmp[(y + k) * ow + x]!;
      out[y * ow + x] = s;
    }
  return out;
}

/** SSIM of one channel pair (flat H×W float64 arrays on the 0–255 scale): the mean of the SSIM map. */
export function ssimChannel(a: Float64Array, b: Float64Array, h: number, w: number): number {
  if (h < K || w < K) throw new InputError(`ssim needs images of at least ${K}×${K} after cropping (got ${h}×${w})`, 'E_SHAPE');
  const n = h * w;
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a[i]! * a[i]!;
    bb[i] = b[i]! * b[i]!;
    ab[i] = a[i]! * b[i]!;
  }
  const mu1 = filterValid(a, h, w);
  const mu2 = filterValid(b, h, w);
  const e11 = filterValid(aa, h, w);
  const e22 = filterValid(bb, h, w);
  const e12 = filterValid(ab, h, w);
  let sum = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m1 = mu1[i]!;
    const m2 = mu2[i]!;
    const m1s = m1 * m1;
    const m2s = m2 * m2;
    const m12 = m1 * m2;
    const s1 = e11[i]! - m1s;
    const s2 = e22[i]! - m2s;
    const s12 = e12[i]! - m12;
    sum += ((2 * m12 + C1) * (2 * s12 + C2)) / ((m1s + m2s + C1) * (s1 + s2 + C2));
  }
  return sum / mu1.length;
}

/** {@link ssim} on already converted pixels (synchronous). */
export function ssimPixels(a: Pixels, b: Pixels, opts: FidelityOptions = {}): number {
  const [x, y] = prepare(a, b, opts, 'ssim');
  const { height: h, width: w, channels: c } = x;
  let total = 0;
  const ca = new Float64Array(h * w);
  const cb = new Float64Array(h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) {
      ca[i] = x.data[i * c + ch]!;
      cb[i] = y.data[i * c + ch]!;
    }
    total += ssimChannel(ca, cb, h, w);
  }
  return total / c;
}

/**
 * Structural similarity (Wang et al. 2004) as BasicSR computes it: crop `cropBorder`, optionally
 * convert to Y, then per channel the mean over the valid region of
 * `((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2))` with Gaussian-weighted (biased)
 * statistics; RGB SSIM is the mean over channels. No automatic downsampling (unlike MATLAB's newer
 * `ssim.m`). Identical images give exactly 1.
 */
export async function ssim(a: MetricInput, b: MetricInput, opts: FidelityOptions = {}): Promise<number> {
  return ssimPixels(await toPixels(a, opts, 'ssim (first image)'), await toPixels(b, opts, 'ssim (second image)'), opts);
}
