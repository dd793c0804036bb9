/**
 * RGB → Y (ITU-R BT.601 luma, MATLAB `rgb2ycbcr`), as BasicSR's `to_y_channel`.
 * @module
 */
import { InputError } from '@sr/core';
import type { Pixels } from './input.js';

/**
 * Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255 for R, G, B on the 0–255 scale; Y in [16, 235], not
 * rounded. Reproduces BasicSR's float precision step by step: the image is cast to float32 and
 * divided by 255 (`img.astype(np.float32) / 255.`), the weighted sum is float64 (`np.dot` with a
 * float64 list), the result is divided by 255 and cast to float32, then multiplied by 255 in float32.
 * BasicSR applies reversed weights to BGR arrays; here the input is RGB.
 */
export function rgbToY(p: Pixels): Pixels {
  if (p.channels !== 3) throw new InputError(`rgbToY needs an RGB image (3 channels), got ${p.channels}`, 'E_CHANNELS');
  const n = p.height * p.width;
  const data = new Float64Array(n);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const r = f(f(p.data[i * 3]!) / 255);
    const g = f(f(p.data[i * 3 + 1]!) / 255);
    const b = f(f(p.data[i * 3 + 2]!) / 255);
    const y = b * 24.966 + g * 128.553 + r * 65.481 + 16.0;
    data[i] = f(f(y / 255) * 255);
  }
  return { data, height: p.height, width: p.width, channels: 1 };
}
