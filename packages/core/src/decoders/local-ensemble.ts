import * as tf from '@tensorflow/tfjs-core';
import { nearestIndices } from '../ops/grid-sample.js';

/** The 4 LR neighbours of every query, as LIIF's local ensemble finds them. */
export interface EnsembleNeighbours {
  /** Number of neighbours K (4 with the local ensemble, 1 without). */
  readonly count: number;
  /** Row indices of the neighbours, `[B, K·Q]` (float tensor of integers; neighbour-major). */
  readonly iy: tf.Tensor2D;
  /** Column indices, `[B, K·Q]`. */
  readonly ix: tf.Tensor2D;
  /** `(coord − centre)·(h, w)` per neighbour, `[B, K, Q, 2]` in (y, x) order. */
  readonly relCoord: tf.Tensor4D;
}

/** Options of {@link ensembleNeighbours}. */
export interface EnsembleOptions {
  /** Use the 4 surrounding LR pixels (default true); otherwise only the pixel containing the query. */
  localEnsemble?: boolean;
  /**
   * Shift radius per axis `[ry, rx]` in `[-1, 1]` units. Default `[1/h, 1/w]` (half an LR pixel, LIIF/LTE);
   * CiaoSR uses `(1 − cell)/(size − 1)`.
   */
  radius?: [number, number] | tf.Tensor;
}

/** The neighbour order of the official loops: `(vx, vy)` ∈ (−1,−1), (−1,+1), (+1,−1), (+1,+1). */
export const ENSEMBLE_SHIFTS: readonly [number, number][] = [
  [-1, -1],
  [-1, 1],
  [1, -1],
  [1, 1],
];

const CLAMP = Math.fround(1 - 1e-6);

/**
 * Finds the LR neighbours of each query as LIIF does (`models/liif.py`, `query_rgb`; Chen et al.,
 * CVPR 2021, §3.2 "local ensemble"): shift the query by `v·r + 1e-6` per axis (the epsilon is always
 * positive), clamp to `±(1 − 1e-6)`, take the nearest LR pixel (PyTorch `grid_sample` nearest, exact
 * half-to-even rounding) and its centre from `make_coord`, and express the query relative to that
 * centre in LR-pixel units: `rel = (coord − centre)·(h, w)`. Everything is float32 op for op, so the
 * chosen pixels equal PyTorch's.
 */
export function ensembleNeighbours(coord: tf.Tensor3D, h: number, w: number, opts: EnsembleOptions = {}): EnsembleNeighbours {
  const ensemble = opts.localEnsemble ?? true;
  const shifts = ensemble ? ENSEMBLE_SHIFTS : [[0, 0] as [number, number]];
  const eps = ensemble ? 1e-6 : 0;
  const [b, q] = coord.shape as [number, number, number];
  const k = shifts.length;
  return tf.tidy(() => {
    const radius = opts.radius ?? [2 / h / 2, 2 / w / 2];
    const shifted = shifts.map(([s0, s1]) => {
      // official: coord_[..., 0] += vx·rx + eps, coord_[..., 1] += vy·ry + eps (vx shifts rows, rx = 1/h)
      const delta =
        radius instanceof tf.Tensor
          ? tf.add(tf.mul(radius, tf.tensor1d([s0, s1])), tf.scalar(eps))
          : tf.tensor1d([s0 * radius[0] + eps, s1 * radius[1] + eps]);
      return tf.clipByValue(tf.add(coord, delta), -CLAMP, CLAMP);
    });
    const all = (k === 1 ? shifted[0] : tf.concat(shifted, 1)) as tf.Tensor3D; // [B, K·Q, 2]
    const [iy, ix] = nearestIndices(all, h, w);
    // make_coord's centre of pixel i: fl(fl(−1 + 1/n) + fl(fl(2/n)·i)), exactly as coordAxis
    const qy = tf.add(tf.mul(iy, tf.scalar(2 / h)), tf.scalar(-1 + 1 / h));
    const qx = tf.add(tf.mul(ix, tf.scalar(2 / w)), tf.scalar(-1 + 1 / w));
    const centre = tf.reshape(tf.stack([qy, qx], 2), [b, k, q, 2]);
    const relCoord = tf.mul(tf.sub(tf.expandDims(coord, 1), centre), tf.tensor1d([h, w])) as tf.Tensor4D;
    return { count: k, iy, ix, relCoord };
  });
}

/**
 * LIIF's area weights `[B, K, Q, 1]`: `area_k = |rel_y·rel_x| + 1e-9`, and each neighbour's prediction
 * is weighted by the area of the diagonally opposite one (areas swapped 0↔3, 1↔2), divided by the total
 * — bilinear interpolation of the 4 predictions. Without the local ensemble the weight is 1 and the
 * official code does not swap (liif issue #41).
 */
export function ensembleWeights(relCoord: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const k = relCoord.shape[1];
    const [ry, rx] = tf.split(relCoord, 2, 3);
    const area = tf.add(tf.abs(tf.mul(ry, rx)), tf.scalar(1e-9)); // [B, K, Q, 1]
    if (k === 1) return tf.div(area, area) as tf.Tensor4D;
    const total = tf.sum(area, 1, true);
    const swapped = tf.reverse(area, 1); // order 3, 2, 1, 0: the diagonal swap
    return tf.div(swapped, total) as tf.Tensor4D;
  });
}
