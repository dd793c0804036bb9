/**
 * OUR consistency-enforcing module: exact LR consistency under the MATLAB bicubic downscaling that
 * the NTIRE 2021 LR-PSNR uses (imresize, a = −0.5, antialiased, 'symmetric' borders).
 *
 * Why the kernel AND the boundary handling must be the measurement's: a CEM output x satisfies
 * D_cem(x) = y for ITS OWN operator D_cem only. LR-PSNR measures D_meas(x) against D_meas(GT). If
 * D_cem ≠ D_meas, the null-space content the CEM leaves free (everything the generator invents) is
 * not in the null space of D_meas and leaks into the measured LR image: with the official OpenCV
 * cubic kernel (a = −0.75, no antialiasing, one sample per block) that leak holds VSpSR at ≈ 47 dB.
 * Borders matter for the same reason: D_meas mirrors symmetrically at the image edges, so an
 * operator with replicate padding (the official CEM) is inconsistent on the outer LR rows/columns.
 * Here D is the measurement itself, written as separable sparse matrices (`matlab-operator.ts`), and
 * the correction is the exact orthogonal projection onto {x : D x = y}:
 *
 *   x ← x + P_h (y − D_h x D_wᵀ) P_wᵀ,   P = Dᵀ(D Dᵀ)⁻¹,
 *
 * i.e. Bahat & Michaeli's CEM (x_gen + U·Inv·(y − D x_gen)) with U = Dᵀ and Inv = (D Dᵀ)⁻¹ computed
 * exactly (banded Cholesky) instead of through a truncated, magnitude-floored FFT filter.
 *
 * Saved images are clipped to [0, 1], which breaks a linear projection wherever the generator output
 * is far from the data (noise, strong hallucinations). Both {x : D x = y} and the box [0, 1]ⁿ are
 * convex and, for y from a real image, intersect, so alternating projections (POCS) converge to a
 * point in both: we alternate clip → project until the clipped image's LR residual is below
 * `tolerance` (or `maxIterations`), and return the clipped image.
 *
 * Runs in plain JS float64 (O(pixels·taps) per projection), which is faster than dense matrix
 * products on tfjs's CPU backend and exact enough that float32 output rounding dominates.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@sr/core';
import { MatlabOperator2d } from './matlab-operator.js';
import { checkPair } from './cem-opencv.js';

/** Options of {@link MatlabCem.apply}. */
export interface MatlabCemOptions {
  /** Stop when the RMS LR residual of the clipped image is below this (in [0,1] units). Default 0.05/255. */
  tolerance?: number;
  /** Most clip → project rounds. Default 200. 0 = one exact projection, no clipping (may leave [0, 1]). */
  maxIterations?: number;
  /** Over-relaxation λ of the projection step inside the clip loop (1 = plain POCS; 1 < λ < 2 converges faster). Default 1.5. */
  relaxation?: number;
}

/** What {@link MatlabCem.applyArrays} reports. */
export interface MatlabCemReport {
  iterations: number;
  /** RMS of y − D(clip(x)) at the end. */
  residualRms: number;
}

/** The MATLAB-kernel CEM for one scale; operators are cached per HR size. */
export class MatlabCem {
  private readonly cache = new Map<string, MatlabOperator2d>();
  /** Report of the last image processed by {@link MatlabCem.apply}. */
  lastReport: MatlabCemReport | null = null;

  constructor(readonly scale: number) {
    if (!Number.isInteger(scale) || scale < 2) throw new InputError(`CEM: integer scale ≥ 2 required, got ${scale}`);
  }

  /** The operator for an HR size (cached). */
  operator(height: number, width: number): MatlabOperator2d {
    const key = `${height}x${width}`;
    let op = this.cache.get(key);
    if (!op) {
      op = new MatlabOperator2d(height, width, this.scale);
      this.cache.set(key, op);
    }
    return op;
  }

  /**
   * Planar float64 version: `x` `[C][H][W]` is modified in place; `y` `[C][h][w]`.
   */
  applyArrays(x: Float64Array, y: ArrayLike<number>, channels: number, height: number, width: number, opts: MatlabCemOptions = {}): MatlabCemReport {
    const tol = opts.tolerance ?? 0.05 / 255;
    const maxIt = opts.maxIterations ?? 200;
    const lambda = opts.relaxation ?? 1.5;
    if (!(lambda > 0 && lambda < 2)) throw new InputError(`CEM: relaxation must be in (0, 2), got ${lambda}`);
    const op = this.operator(height, width);
    // With clipping allowed, start from the box: clipping first is itself a POCS step (projection onto
    // [0, 1]ⁿ) and brings wild generator outputs (e.g. untrained weights) much closer to the target set.
    if (maxIt > 0) clip01(x);
    op.project(x, y, channels);
    let it = 0;
    let exact = true; // the last step was an exact (λ = 1) projection
    while (maxIt > 0) {
      const clipped = clip01(x);
      if (!clipped) {
        if (exact) break;
        // An over-relaxed step overshoots the consistent set: finish with an exact projection.
        op.project(x, y, channels);
        exact = true;
        continue;
      }
      if (it >= maxIt) break;
      const rms = op.project(x, y, channels, lambda);
      exact = lambda === 1;
      it++;
      if (rms < tol) {
        if (!exact) op.project(x, y, channels);
        clip01(x);
        break;
      }
    }
    const r = op.downscale(x, channels);
    let ss = 0;
    for (let i = 0; i < r.length; i++) ss += (y[i] - r[i]) * (y[i] - r[i]);
    return { iterations: it, residualRms: Math.sqrt(ss / r.length) };
  }

  /** MATLAB `imresize(x, 1/s)` of an NHWC batch (float64, no rounding): the operator this CEM enforces. */
  async downscale(x: tf.Tensor4D): Promise<tf.Tensor4D> {
    const [b, h, w, c] = x.shape;
    const op = this.operator(h, w);
    const planar = await toPlanar(x);
    const per = c * h * w;
    const outs: Float64Array[] = [];
    for (let i = 0; i < b; i++) outs.push(op.downscale(planar.subarray(i * per, (i + 1) * per), c));
    return fromPlanar(outs, b, c, op.lrHeight, op.lrWidth);
  }

  /**
   * CEM output for generator output `sr` and LR image `lr` (NHWC, [0, 1]): LR-consistent under
   * MATLAB bicubic downscaling and inside [0, 1].
   */
  async apply(sr: tf.Tensor4D, lr: tf.Tensor4D, opts: MatlabCemOptions = {}): Promise<tf.Tensor4D> {
    checkPair(sr, lr, this.scale);
    const [b, h, w, c] = sr.shape;
    const x = await toPlanar(sr);
    const y = await toPlanar(lr);
    const per = c * h * w;
    const lper = (c * h * w) / (this.scale * this.scale);
    for (let i = 0; i < b; i++) this.lastReport = this.applyArrays(x.subarray(i * per, (i + 1) * per), y.subarray(i * lper, (i + 1) * lper), c, h, w, opts);
    return fromPlanar([x], b, c, h, w);
  }

  /**
   * Drops the cached per-size operators (plain float64 arrays, no tensors); the CEM stays usable and
   * rebuilds them on demand.
   */
  dispose(): void {
    this.cache.clear();
  }
}

/** NHWC tensor → planar float64 `[B][C][H][W]` (async read-back: GPU backends). */
export async function toPlanar(t: tf.Tensor4D): Promise<Float64Array> {
  const [b, h, w, c] = t.shape;
  const src = await t.data();
  const out = new Float64Array(src.length);
  for (let i = 0; i < b; i++)
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[((i * c + k) * h * w) + p] = src[(i * h * w + p) * c + k];
  return out;
}

/** Planar float64 chunks (concatenated `[B][C][H][W]`) → NHWC float32 tensor. */
export function fromPlanar(chunks: Float64Array[], b: number, c: number, h: number, w: number): tf.Tensor4D {
  const src = chunks.length === 1 ? chunks[0] : concat(chunks);
  const out = new Float32Array(b * h * w * c);
  for (let i = 0; i < b; i++)
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[(i * h * w + p) * c + k] = src[(i * c + k) * h * w + p];
  return tf.tensor4d(out, [b, h, w, c], 'float32');
}

function concat(a: Float64Array[]): Float64Array {
  const out = new Float64Array(a.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of a) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** Clips to [0, 1] in place; true when anything changed. (Ternaries, not Math.min/max: hot loop.) */
function clip01(x: Float64Array): boolean {
  let changed = false;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < 0) {
      x[i] = 0;
      changed = true;
    } else if (v > 1) {
      x[i] = 1;
      changed = true;
    }
  }
  return changed;
}
