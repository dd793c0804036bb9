/**
 * PSNR with BasicSR's conventions (`basicsr/metrics/psnr_ssim.py: calculate_psnr`).
 * @module
 */
import { InputError } from '@sr/core';
import { rgbToY } from './color.js';
import { assertFinite, assertSameShape, cropBorder, toPixels, type InputOptions, type MetricInput, type Pixels } from './input.js';

/** Options of {@link psnr} and {@link ssim}. */
export interface FidelityOptions extends InputOptions {
  /** Pixels removed from every edge before measuring (SR convention: the scale). Default 0. */
  cropBorder?: number;
  /** Measure on Y (BT.601 luma) instead of RGB. Default false. */
  yChannel?: boolean;
}

/** Crop, then (optionally) convert to Y — BasicSR's order. */
export function prepare(a: Pixels, b: Pixels, opts: FidelityOptions, what: string): [Pixels, Pixels] {
  assertSameShape(a, b, what);
  assertFinite(a, what);
  assertFinite(b, what);
  let x = cropBorder(a, opts.cropBorder ?? 0);
  let y = cropBorder(b, opts.cropBorder ?? 0);
  if (opts.yChannel) {
    if (x.channels !== 3) throw new InputError(`${what}: yChannel needs RGB images, got ${x.channels} channel(s)`, 'E_CHANNELS');
    x = rgbToY(x);
    y = rgbToY(y);
  }
  return [x, y];
}

/** Mean squared error over all samples (float64). */
export function mse(a: Pixels, b: Pixels): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i]! - b.data[i]!;
    s += d * d;
  }
  return s / a.data.length;
}

/** PSNR from an MSE on the 0–255 scale: `10·log10(255²/MSE)`; MSE = 0 gives +Infinity. */
export const psnrFromMse = (m: number): number => (m === 0 ? Infinity : 10 * Math.log10((255 * 255) / m));

/** {@link psnr} on already converted pixels (synchronous). */
export function psnrPixels(a: Pixels, b: Pixels, opts: FidelityOptions = {}): number {
  const [x, y] = prepare(a, b, opts, 'psnr');
  return psnrFromMse(mse(x, y));
}

/**
 * Peak signal-to-noise ratio in dB, `10·log10(255²/MSE)` in float64 on the 0–255 scale, after removing
 * `cropBorder` pixels from every edge and (with `yChannel`) converting to Y. Colour PSNR takes the MSE
 * over all channels jointly. Identical images give `+Infinity` (as BasicSR's `float('inf')`).
 */
export async function psnr(a: MetricInput, b: MetricInput, opts: FidelityOptions = {}): Promise<number> {
  return psnrPixels(await toPixels(a, opts, 'psnr (first image)'), await toPixels(b, opts, 'psnr (second image)'), opts);
}
