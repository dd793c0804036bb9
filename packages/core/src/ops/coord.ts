import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { roundHalfEven } from './round.js';

/** Output size `[round(h·s), round(w·s)]` (Python rounding) of an LR `[h, w]` at scale `s` (or `[sy, sx]`). */
export function scaledSize(lr: [number, number], scale: number | [number, number]): [number, number] {
  const [sy, sx] = typeof scale === 'number' ? [scale, scale] : scale;
  return [roundHalfEven(lr[0] * sy), roundHalfEven(lr[1] * sx)];
}

/**
 * The pixel-centre coordinates of one axis of length `n` over `[v0, v1]`, in float32 exactly as
 * LIIF's `make_coord` computes them: `seq_k = fl(fl(v0 + r) + fl(fl(2r) · k))` with `r = (v1 − v0)/(2n)`
 * (the Python scalars are doubles; the tensor arithmetic is float32).
 */
export function coordAxis(n: number, range: [number, number] = [-1, 1]): Float32Array {
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`coordinate axis length must be a positive integer, got ${n}`);
  const [v0, v1] = range;
  const r = (v1 - v0) / (2 * n);
  const start = Math.fround(v0 + r);
  const step = Math.fround(2 * r);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.fround(start + Math.fround(step * k));
  return out;
}

/** Options of {@link makeCoord}. */
export interface MakeCoordOptions {
  /** Return `[h·w, 2]` (default true) instead of `[h, w, 2]`. */
  flatten?: boolean;
  /** Value range per axis `[[y0, y1], [x0, x1]]`; default `[-1, 1]` for both. */
  ranges?: [[number, number], [number, number]];
}

/**
 * Pixel-centre coordinates of an `h × w` grid as plain float32 data, row-major, `(y, x)` per pixel
 * (LIIF `make_coord` with `meshgrid(indexing='ij')`). See {@link makeCoord}.
 */
export function makeCoordData(shape: [number, number], ranges?: [[number, number], [number, number]]): Float32Array {
  const [h, w] = shape;
  const ys = coordAxis(h, ranges?.[0]);
  const xs = coordAxis(w, ranges?.[1]);
  const out = new Float32Array(h * w * 2);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      out[2 * (i * w + j)] = ys[i];
      out[2 * (i * w + j) + 1] = xs[j];
    }
  }
  return out;
}

/**
 * Pixel-centre coordinates in `[-1, 1]` of an `h × w` grid, `(y, x)` order, as LIIF's `make_coord`
 * (Chen et al., "Learning Continuous Image Representation with Local Implicit Image Function",
 * CVPR 2021; `utils.py`): centre `k` of an axis of length `n` is `−1 + 1/n + 2k/n`, so ±1 (the image
 * borders) are never hit. Shape `[h·w, 2]` (row-major) or `[h, w, 2]` with `flatten: false`.
 */
export function makeCoord(shape: [number, number], opts?: MakeCoordOptions & { flatten?: true }): tf.Tensor2D;
export function makeCoord(shape: [number, number], opts: MakeCoordOptions & { flatten: false }): tf.Tensor3D;
export function makeCoord(shape: [number, number], opts?: MakeCoordOptions): tf.Tensor2D | tf.Tensor3D;
export function makeCoord(shape: [number, number], opts: MakeCoordOptions = {}): tf.Tensor2D | tf.Tensor3D {
  const [h, w] = shape;
  const data = makeCoordData(shape, opts.ranges);
  return (opts.flatten ?? true) ? tf.tensor2d(data, [h * w, 2]) : tf.tensor3d(data, [h, w, 2]);
}

/** The LIIF cell of an `h × w` output, `(2/h, 2/w)` in float32: the size of one output pixel in `[-1, 1]` units. */
export function cellSize(h: number, w: number): [number, number] {
  if (!(h > 0 && w > 0)) throw new InputError(`cell needs a positive output size, got ${h}×${w}`);
  return [Math.fround(2 / h), Math.fround(2 / w)];
}

/**
 * The cell of every query of an `h × w` output, `[count, 2]` filled with `(2/h, 2/w)` in `(y, x)`
 * order — LIIF's cell decoding input (§3.3 of the paper; `cell[:, 0] *= 2 / H`, `cell[:, 1] *= 2 / W`
 * in the official data wrappers). `count` defaults to `h·w`.
 */
export function makeCell(h: number, w: number, count: number = h * w): tf.Tensor2D {
  const [cy, cx] = cellSize(h, w);
  const data = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    data[2 * i] = cy;
    data[2 * i + 1] = cx;
  }
  return tf.tensor2d(data, [count, 2]);
}
