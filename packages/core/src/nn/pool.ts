import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, type Callable } from './module.js';
import type { Size2 } from './conv.js';

const pair = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Options of {@link maxPool2d} / {@link avgPool2d}; names and defaults follow PyTorch. */
export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2;
  /** Implicit padding on both sides (−∞ for max, 0 for average); at most half the kernel. */
  padding?: Size2;
  /** Round the output size up (PyTorch `ceil_mode`); a window may not start in the right padding. */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Count the zero padding in the divisor (PyTorch default true). */
  countIncludePad?: boolean;
  /** Divide every window by this instead. */
  divisorOverride?: number;
}

/** PyTorch's `pooling_output_shape` for one axis. */
export function poolOutputSize(inSize: number, k: number, s: number, p: number, ceilMode: boolean): number {
  const num = inSize + 2 * p - (k - 1) - 1 + (ceilMode ? s - 1 : 0);
  let out = Math.floor(num / s) + 1;
  // The last window must start inside the input or the left padding (ATen's ceil_mode rule).
  if (ceilMode && (out - 1) * s >= inSize + p) out--;
  return out;
}

interface Geometry {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  out: [number, number];
  /** Extra bottom/right padding so 'valid' pooling yields `out` (ceil mode). */
  extra: [number, number];
}

function geometry(x: tf.Tensor, kernel: Size2, opts: Pool2dOptions, fn: string): Geometry {
  if (x.rank !== 4) throw new InputError(`${fn} expects an NHWC rank-4 tensor, got shape [${x.shape}]`);
  const k = pair(kernel);
  const s = pair(opts.stride ?? kernel);
  const p = pair(opts.padding ?? 0);
  for (let a = 0; a < 2; a++) {
    if (p[a] > k[a] / 2) throw new InputError(`${fn}: padding ${p[a]} must be at most half the kernel size ${k[a]} (PyTorch rule)`);
    if (!(k[a] >= 1 && s[a] >= 1)) throw new InputError(`${fn}: kernel and stride must be ≥ 1`);
  }
  const size = [x.shape[1] as number, x.shape[2] as number];
  const out = [0, 1].map((a) => poolOutputSize(size[a], k[a], s[a], p[a], opts.ceilMode ?? false)) as [number, number];
  if (out[0] < 1 || out[1] < 1) throw new InputError(`${fn}: input ${size[0]}×${size[1]} is smaller than the kernel ${k[0]}×${k[1]}`);
  const extra = [0, 1].map((a) => Math.max(0, (out[a] - 1) * s[a] + k[a] - (size[a] + 2 * p[a]))) as [number, number];
  return { k, s, p, out, extra };
}

function padFor(g: Geometry): [number, number][] {
  return [
    [0, 0],
    [g.p[0], g.p[0] + g.extra[0]],
    [g.p[1], g.p[1] + g.extra[1]],
    [0, 0],
  ];
}

/**
 * `torch.nn.functional.max_pool2d` on NHWC (dilation 1): the input is padded with the lowest float
 * (PyTorch pads with −∞) and pooled with 'valid' windows, so padding and `ceilMode` give PyTorch's
 * output size and values.
 */
export function maxPool2d(x: tf.Tensor, kernel: Size2, opts: Pool2dOptions = {}): tf.Tensor4D {
  const g = geometry(x, kernel, opts, 'maxPool2d');
  return tf.tidy(() => {
    const needsPad = g.p[0] || g.p[1] || g.extra[0] || g.extra[1];
    const xp = (needsPad ? tf.pad(x as tf.Tensor4D, padFor(g), -3.4028234663852886e38) : x) as tf.Tensor4D;
    return tf.maxPool(xp, g.k, g.s, 'valid');
  });
}

/** Window sizes used as divisors along one axis (ATen's avg_pool2d rule). */
function divisors(inSize: number, k: number, s: number, p: number, out: number, includePad: boolean): number[] {
  const d: number[] = [];
  for (let o = 0; o < out; o++) {
    let start = o * s - p;
    let end = Math.min(start + k, inSize + p);
    const padded = end - start;
    start = Math.max(start, 0);
    end = Math.min(end, inSize);
    d.push(includePad ? padded : end - start);
  }
  return d;
}

/**
 * `torch.nn.functional.avg_pool2d` on NHWC: window sums over the zero-padded input divided by
 * PyTorch's divisor (window clipped to the padded input with `countIncludePad`, to the real input
 * without it, or `divisorOverride`).
 */
export function avgPool2d(x: tf.Tensor, kernel: Size2, opts: AvgPool2dOptions = {}): tf.Tensor4D {
  const g = geometry(x, kernel, opts, 'avgPool2d');
  const include = opts.countIncludePad ?? true;
  const [h, w] = [x.shape[1] as number, x.shape[2] as number];
  const dh = divisors(h, g.k[0], g.s[0], g.p[0], g.out[0], include);
  const dw = divisors(w, g.k[1], g.s[1], g.p[1], g.out[1], include);
  const inv = new Float32Array(g.out[0] * g.out[1]);
  for (let i = 0; i < g.out[0]; i++)
    for (let j = 0; j < g.out[1]; j++) inv[i * g.out[1] + j] = 1 / (opts.divisorOverride ?? dh[i] * dw[j]);
  return tf.tidy(() => {
    const needsPad = g.p[0] || g.p[1] || g.extra[0] || g.extra[1];
    const xp = (needsPad ? tf.pad(x as tf.Tensor4D, padFor(g)) : x) as tf.Tensor4D;
    const sum = tf.mul(tf.avgPool(xp, g.k, g.s, 'valid'), g.k[0] * g.k[1]);
    return tf.mul(sum, tf.tensor4d(inv, [1, g.out[0], g.out[1], 1])) as tf.Tensor4D;
  });
}

/** `torch.nn.MaxPool2d` module (parameter-free). */
export class MaxPool2d extends Module implements Callable {
  constructor(
    readonly kernelSize: Size2,
    readonly options: Pool2dOptions = {},
  ) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/** `torch.nn.AvgPool2d` module (parameter-free). */
export class AvgPool2d extends Module implements Callable {
  constructor(
    readonly kernelSize: Size2,
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}
