/**
 * Alpha handling for upscalers: split off the alpha channel, resize it separately (bicubic), merge it
 * back — instead of losing it, as some web upscalers do.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';

/** Colour and (optional) alpha parts of an NHWC tensor. */
export interface SplitAlpha {
  /** `[N,H,W,1]` (gray) or `[N,H,W,3]` (RGB). */
  color: tf.Tensor4D;
  /** `[N,H,W,1]`, or null when the input had no alpha channel. */
  alpha: tf.Tensor4D | null;
}

/**
 * Splits a 2-channel (gray+alpha) or 4-channel (RGBA) tensor into colour and alpha; 1- and 3-channel
 * inputs come back as `{ color: clone, alpha: null }`. The caller owns (and disposes) both tensors.
 */
export function splitAlpha(x: tf.Tensor4D): SplitAlpha {
  const c = x.shape[3];
  if (c === 1 || c === 3) return { color: tf.clone(x), alpha: null };
  if (c !== 2 && c !== 4) throw new InputError(`splitAlpha: expected 1–4 channels, got ${c}`, 'E_CHANNELS');
  const [color, alpha] = tf.split(x, [c - 1, 1], 3) as [tf.Tensor4D, tf.Tensor4D];
  return { color, alpha };
}

/** Concatenates colour `[N,H,W,1|3]` and alpha `[N,H,W,1]` (or returns a clone of colour when alpha is null). */
export function mergeAlpha(color: tf.Tensor4D, alpha: tf.Tensor4D | null): tf.Tensor4D {
  if (!alpha) return tf.clone(color);
  const [n, h, w, c] = color.shape;
  const [an, ah, aw, ac] = alpha.shape;
  if (ac !== 1 || an !== n || ah !== h || aw !== w)
    throw new InputError(`mergeAlpha: alpha [${alpha.shape}] does not fit colour [${color.shape}] (need [${n},${h},${w},1])`);
  if (c !== 1 && c !== 3) throw new InputError(`mergeAlpha: colour must have 1 or 3 channels, got ${c}`, 'E_CHANNELS');
  return tf.concat([color, alpha], 3);
}
