import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { roundHalfEven } from './round.js';
import { gatherRows } from './gather-rows.js';

/**
 * How samples outside the feature map are treated, as `F.grid_sample`'s `padding_mode`:
 * `'zeros'` (PyTorch's default) reads zeros outside, `'border'` clamps to the edge pixels.
 */
export type GridPaddingMode = 'zeros' | 'border';

/** Options of {@link gridSampleNearest} and {@link gridSampleBilinear}. */
export interface GridSampleOptions {
  /** Default `'zeros'` for nearest (as LIIF/LTE/CiaoSR call it) and `'border'` for bilinear (the LR residual). */
  paddingMode?: GridPaddingMode;
}

/**
 * Float32 emulation of PyTorch's continuous source position (`align_corners=False`) of a normalised
 * coordinate on an axis of length `n`. PyTorch's CPU kernel (`GridSamplerKernel.cpp`,
 * `ComputeLocationBase<…, false>::unnormalize`) evaluates `(x + 1)·(n/2) − 0.5` as three float32 ops;
 * the algebraically equal `x·(n/2) + (n−1)/2` can differ in the last bit, so we follow the code.
 */
export function sourcePosition(x: number, n: number): number {
  return Math.fround(Math.fround(Math.fround(Math.fround(x) + 1) * Math.fround(n / 2)) - 0.5);
}

/**
 * PyTorch's nearest source index for one coordinate: {@link sourcePosition} rounded half-to-even
 * (`nearbyint`). Returns the unclamped index (may be −1 or `n` just outside). Used to check
 * {@link gridSampleNearest} and wherever indices are needed in plain JS.
 */
export function nearestSourceIndex(x: number, n: number): number {
  return roundHalfEven(sourcePosition(x, n));
}

function checkShapes(feat: tf.Tensor, coord: tf.Tensor, op: string): [number, number, number, number, number] {
  if (feat.rank !== 4) throw new InputError(`${op}: feat must be NHWC [B, h, w, C], got [${feat.shape}]`);
  if (coord.rank !== 3 || coord.shape[2] !== 2) throw new InputError(`${op}: coord must be [B, Q, 2] (y, x), got [${coord.shape}]`);
  const [b, h, w, c] = feat.shape as [number, number, number, number];
  if (coord.shape[0] !== b) throw new InputError(`${op}: batch of coord (${coord.shape[0]}) differs from feat (${b})`);
  return [b, h, w, c, coord.shape[1] as number];
}

/** {@link sourcePosition} on a tensor: `(v + 1)·(n/2) − 0.5` in float32, op for op as PyTorch's CPU kernel. */
function unnormalize(v: tf.Tensor, n: number): tf.Tensor {
  return tf.sub(tf.mul(tf.add(v, tf.scalar(1)), tf.scalar(n / 2)), tf.scalar(0.5));
}

/**
 * PyTorch's nearest source indices (float tensors holding integers, unclamped) of `(y, x)` coordinates
 * `[B, Q, 2]` on an `h × w` grid: `[iy, ix]`, each `[B, Q]`. See {@link nearestSourceIndex}.
 */
export function nearestIndices(coord: tf.Tensor3D, h: number, w: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const [y, x] = tf.split(coord, 2, 2).map((t) => tf.squeeze(t, [2]));
    // tfjs round is half-to-even on every backend (cpu: banker's rounding; WGSL round())
    return [tf.round(unnormalize(y, h)) as tf.Tensor2D, tf.round(unnormalize(x, w)) as tf.Tensor2D];
  });
}

/**
 * The row-gather form of pixel sampling: `feat` as a table `[B·(h·w + 1), C]` — each image's pixels
 * followed by one zero row (PyTorch's zero padding for positions outside the map) — and the int32 row
 * `index` `[B·K]` of every position `(iy, ix)` (integer-valued float tensors `[B, K]`).
 */
export function pixelRows(feat: tf.Tensor4D, iy: tf.Tensor, ix: tf.Tensor): { table: tf.Tensor2D; index: tf.Tensor1D } {
  return tf.tidy(() => {
    const [b, h, w, c] = feat.shape;
    const k = iy.shape[1] as number;
    const rows = h * w + 1; // one trailing zero row per image for out-of-range samples
    const flat = tf.concat([tf.reshape(feat, [b, h * w, c]), tf.zeros([b, 1, c])], 1);
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(iy, 0), tf.lessEqual(iy, h - 1)),
      tf.logicalAnd(tf.greaterEqual(ix, 0), tf.lessEqual(ix, w - 1)),
    );
    // Integer-valued floats below 2^24 are exact, so the index arithmetic can stay in float32.
    const lin = tf.where(inside, tf.add(tf.mul(iy, tf.scalar(w)), ix), tf.fill(iy.shape, h * w));
    const offsets = tf.reshape(tf.mul(tf.range(0, b, 1, 'float32'), tf.scalar(rows)), [b, 1]);
    const index = tf.cast(tf.reshape(tf.add(lin, offsets), [b * k]), 'int32') as tf.Tensor1D;
    return { table: tf.reshape(flat, [b * rows, c]) as tf.Tensor2D, index };
  });
}

/**
 * Gathers pixels `iy·w + ix` of `feat` for integer-valued float index tensors `iy`, `ix` (`[B, K]`);
 * positions outside `[0, h) × [0, w)` read a zero row (PyTorch's zero padding). Returns `[B, K, C]`.
 */
export function gatherPixels(feat: tf.Tensor4D, iy: tf.Tensor, ix: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, , , c] = feat.shape;
    const { table, index } = pixelRows(feat, iy, ix);
    return tf.reshape(gatherRows(table, index), [b, iy.shape[1] as number, c]) as tf.Tensor3D;
  });
}

/**
 * `F.grid_sample(feat, coord.flip(-1), mode='nearest', align_corners=False)` for NHWC features and
 * `(y, x)` coordinates, returning `[B, Q, C]` (the layout LIIF permutes to). tfjs has no grid_sample,
 * so this is index arithmetic plus `tf.gather`, reproducing PyTorch exactly: the source index is
 * `(x + 1)·(n/2) − 0.5` in float32 rounded half-to-even — CiaoSR's unshifted query fetch lands on exact
 * ties (x = 0 with n = 16 picks index 8, with n = 14 index 6), where `Math.round`/floor would differ.
 * Differentiable with respect to `feat`.
 */
export function gridSampleNearest(feat: tf.Tensor4D, coord: tf.Tensor3D, opts: GridSampleOptions = {}): tf.Tensor3D {
  const [, h, w] = checkShapes(feat, coord, 'gridSampleNearest');
  const border = (opts.paddingMode ?? 'zeros') === 'border';
  return tf.tidy(() => {
    let [iy, ix]: tf.Tensor[] = nearestIndices(coord, h, w);
    if (border) {
      iy = tf.clipByValue(iy, 0, h - 1);
      ix = tf.clipByValue(ix, 0, w - 1);
    }
    return gatherPixels(feat, iy, ix);
  });
}

/**
 * `F.grid_sample(feat, coord.flip(-1), mode='bilinear', padding_mode=…, align_corners=False)` for NHWC
 * features and `(y, x)` coordinates → `[B, Q, C]`. Border padding clamps the source position to
 * `[0, n−1]` before interpolating (PyTorch `clip_coordinates`); zero padding reads zeros outside.
 * LTE and CiaoSR add this sample of the normalised LR image as a global residual. Differentiable with
 * respect to `feat`.
 */
export function gridSampleBilinear(feat: tf.Tensor4D, coord: tf.Tensor3D, opts: GridSampleOptions = {}): tf.Tensor3D {
  const [b, h, w, c, q] = checkShapes(feat, coord, 'gridSampleBilinear');
  const border = (opts.paddingMode ?? 'border') === 'border';
  return tf.tidy(() => {
    const [y, x] = tf.split(coord, 2, 2).map((t) => tf.squeeze(t, [2]));
    let sy = unnormalize(y, h);
    let sx = unnormalize(x, w);
    if (border) {
      sy = tf.clipByValue(sy, 0, h - 1);
      sx = tf.clipByValue(sx, 0, w - 1);
    }
    const y0 = tf.floor(sy);
    const x0 = tf.floor(sx);
    const y1 = tf.add(y0, 1);
    const x1 = tf.add(x0, 1);
    // PyTorch: nw = (ix_se − ix)(iy_se − iy), ne = (ix − ix_nw)(iy_se − iy), sw, se likewise.
    const wy1 = tf.sub(sy, y0);
    const wy0 = tf.sub(y1, sy);
    const wx1 = tf.sub(sx, x0);
    const wx0 = tf.sub(x1, sx);
    const iy = tf.concat([y0, y0, y1, y1], 1);
    const ix = tf.concat([x0, x1, x0, x1], 1);
    const wts = tf.concat([tf.mul(wx0, wy0), tf.mul(wx1, wy0), tf.mul(wx0, wy1), tf.mul(wx1, wy1)], 1);
    const vals = gatherPixels(feat, iy, ix); // [B, 4Q, C]
    const weighted = tf.mul(tf.reshape(vals, [b, 4, q, c]), tf.reshape(wts, [b, 4, q, 1]));
    return tf.sum(weighted, 1) as tf.Tensor3D;
  });
}
