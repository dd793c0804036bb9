/**
 * The MATLAB bicubic downscaling operator along one axis as a sparse matrix, and its right inverse
 * P = Dᵀ(D Dᵀ)⁻¹ applied through a banded Cholesky factorisation. Plain JS float64, no tfjs.
 *
 * `imresize(x, 1/s)` (antialiased cubic a = −0.5, 'symmetric' borders) is linear and separable:
 * D(X) = D_h · X · D_wᵀ, where row o of D_h holds the normalised taps of LR sample o with mirrored
 * source indices folded back into [0, H) — exactly the taps `imresize` applies. For a separable
 * operator (D_h ⊗ D_w)⁺ = D_h⁺ ⊗ D_w⁺, so the minimum-norm correction making D(X + Δ) = Y is
 * Δ = P_h (Y − D(X)) P_wᵀ. D Dᵀ is banded (rows overlap over ⌈taps/s⌉ neighbours), so solving with
 * it costs O(m·b²) once and O(m·b) per vector.
 * @module
 */
import { resizeWeights } from '@sr/core';

/** One axis of the MATLAB downscaling operator. */
export class MatlabAxisOperator {
  /** LR length ⌈inLength / scale⌉. */
  readonly outLength: number;
  /** Taps per LR sample (after folding mirrored indices, duplicates summed). */
  private readonly rowIdx: Int32Array[];
  private readonly rowW: Float64Array[];
  /** Banded Cholesky factor L of D Dᵀ: `l[i][j − i + band]` for i − band ≤ j ≤ i. */
  private readonly chol: Float64Array;
  private readonly band: number;

  constructor(
    readonly inLength: number,
    readonly scale: number,
  ) {
    const m = Math.ceil(inLength / scale);
    this.outLength = m;
    const rw = resizeWeights(inLength, m, 1 / scale, true);
    this.rowIdx = [];
    this.rowW = [];
    for (let o = 0; o < m; o++) {
      const acc = new Map<number, number>();
      for (let t = 0; t < rw.taps; t++) {
        const j = rw.indices[o * rw.taps + t];
        acc.set(j, (acc.get(j) ?? 0) + rw.weights[o * rw.taps + t]);
      }
      const keys = [...acc.keys()].sort((a, b) => a - b);
      this.rowIdx.push(Int32Array.from(keys));
      this.rowW.push(Float64Array.from(keys, (k) => acc.get(k)!));
    }
    // G = D Dᵀ and its bandwidth.
    const dense = (o: number) => {
      const r = new Map<number, number>();
      this.rowIdx[o].forEach((j, t) => r.set(j, this.rowW[o][t]));
      return r;
    };
    const rows = Array.from({ length: m }, (_, o) => dense(o));
    let band = 0;
    const g = (i: number, j: number) => {
      let s = 0;
      for (const [k, v] of rows[i]) {
        const u = rows[j].get(k);
        if (u !== undefined) s += v * u;
      }
      return s;
    };
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m && g(i, j) !== 0; j++) band = Math.max(band, j - i);
    // Rows can only overlap while their supports do; scan a little further to be safe.
    for (let i = 0; i < m; i++) for (let j = i + band + 1; j < Math.min(m, i + band + 8); j++) if (g(i, j) !== 0) band = Math.max(band, j - i);
    this.band = band;
    const w = band + 1;
    const l = new Float64Array(m * w);
    const L = (i: number, j: number) => (j < i - band || j > i ? 0 : l[i * w + (j - i + band)]);
    for (let i = 0; i < m; i++)
      for (let j = Math.max(0, i - band); j <= i; j++) {
        let s = g(i, j);
        for (let k = Math.max(0, i - band); k < j; k++) s -= L(i, k) * L(j, k);
        if (i === j) {
          if (!(s > 0)) throw new Error('CEM: D·Dᵀ is not positive definite (degenerate downscaling operator)');
          l[i * w + band] = Math.sqrt(s);
        } else l[i * w + (j - i + band)] = s / L(j, j);
      }
    this.chol = l;
  }

  /** y = D x for a strided vector (x[off + k·stride], k < inLength) into y[yo + o·ys]. */
  down(x: Float64Array, off: number, stride: number, y: Float64Array, yo: number, ys: number): void {
    for (let o = 0; o < this.outLength; o++) {
      const idx = this.rowIdx[o];
      const wt = this.rowW[o];
      let s = 0;
      for (let t = 0; t < idx.length; t++) s += wt[t] * x[off + idx[t] * stride];
      y[yo + o * ys] = s;
    }
  }

  /** In place: v ← (D Dᵀ)⁻¹ v for a strided vector of length outLength. */
  solve(v: Float64Array, off: number, stride: number): void {
    const m = this.outLength;
    const b = this.band;
    const w = b + 1;
    const l = this.chol;
    for (let i = 0; i < m; i++) {
      let s = v[off + i * stride];
      for (let k = i - b < 0 ? 0 : i - b; k < i; k++) s -= l[i * w + (k - i + b)] * v[off + k * stride];
      v[off + i * stride] = s / l[i * w + b];
    }
    for (let i = m - 1; i >= 0; i--) {
      let s = v[off + i * stride];
      for (let k = i + 1, kEnd = i + b < m - 1 ? i + b : m - 1; k <= kEnd; k++) s -= l[k * w + (i - k + b)] * v[off + k * stride];
      v[off + i * stride] = s / l[i * w + b];
    }
  }

  /** Row-vectorised D along the first axis: out[o, :] = Σ_t w·x[base + idx·W, :] (out zeroed by caller). */
  downRows(x: Float64Array, base: number, W: number, out: Float64Array): void {
    for (let o = 0; o < this.outLength; o++) {
      const idx = this.rowIdx[o];
      const wt = this.rowW[o];
      const ob = o * W;
      for (let t = 0; t < idx.length; t++) {
        const a = wt[t];
        const xb = base + idx[t] * W;
        for (let k = 0; k < W; k++) out[ob + k] += a * x[xb + k];
      }
    }
  }

  /** Row-vectorised (D Dᵀ)⁻¹ along the first axis of an `[outLength, W]` array, in place. */
  solveRows(v: Float64Array, W: number): void {
    const m = this.outLength;
    const b = this.band;
    const w = b + 1;
    const l = this.chol;
    for (let i = 0; i < m; i++) {
      const ib = i * W;
      for (let k = i - b < 0 ? 0 : i - b; k < i; k++) {
        const a = l[i * w + (k - i + b)];
        const kb = k * W;
        for (let c = 0; c < W; c++) v[ib + c] -= a * v[kb + c];
      }
      const d = 1 / l[i * w + b];
      for (let c = 0; c < W; c++) v[ib + c] *= d;
    }
    for (let i = m - 1; i >= 0; i--) {
      const ib = i * W;
      for (let k = i + 1, kEnd = i + b < m - 1 ? i + b : m - 1; k <= kEnd; k++) {
        const a = l[k * w + (i - k + b)];
        const kb = k * W;
        for (let c = 0; c < W; c++) v[ib + c] -= a * v[kb + c];
      }
      const d = 1 / l[i * w + b];
      for (let c = 0; c < W; c++) v[ib + c] *= d;
    }
  }

  /** Row-vectorised x[base + idx·W, :] += w·v[o, :] (Dᵀ along the first axis). */
  addTransposedRows(v: Float64Array, W: number, x: Float64Array, base: number): void {
    for (let o = 0; o < this.outLength; o++) {
      const idx = this.rowIdx[o];
      const wt = this.rowW[o];
      const vb = o * W;
      for (let t = 0; t < idx.length; t++) {
        const a = wt[t];
        const xb = base + idx[t] * W;
        for (let k = 0; k < W; k++) x[xb + k] += a * v[vb + k];
      }
    }
  }

  /** x += Dᵀ v (v strided, length outLength; x strided, length inLength). */
  addTransposed(v: Float64Array, vo: number, vs: number, x: Float64Array, off: number, stride: number): void {
    for (let o = 0; o < this.outLength; o++) {
      const idx = this.rowIdx[o];
      const wt = this.rowW[o];
      const a = v[vo + o * vs];
      for (let t = 0; t < idx.length; t++) x[off + idx[t] * stride] += wt[t] * a;
    }
  }
}

/**
 * Separable 2-D operator on planar images `[C][H][W]` (float64): `downscale` is MATLAB
 * `imresize(·, 1/s)` without rounding; `project` adds P_h (Y − D X) P_wᵀ in place. Passes along H
 * work on whole rows (contiguous vectors), which keeps them cache-friendly.
 */
export class MatlabOperator2d {
  readonly rows: MatlabAxisOperator;
  readonly cols: MatlabAxisOperator;
  constructor(
    readonly height: number,
    readonly width: number,
    readonly scale: number,
  ) {
    this.rows = new MatlabAxisOperator(height, scale);
    this.cols = new MatlabAxisOperator(width, scale);
  }

  /** LR height. */
  get lrHeight(): number {
    return this.rows.outLength;
  }
  /** LR width. */
  get lrWidth(): number {
    return this.cols.outLength;
  }

  /** D X for `channels` planes; returns `[C][h][w]`. */
  downscale(x: Float64Array, channels: number): Float64Array {
    const { height: H, width: W } = this;
    const h = this.lrHeight;
    const w = this.lrWidth;
    const tmp = new Float64Array(h * W);
    const out = new Float64Array(channels * h * w);
    for (let c = 0; c < channels; c++) {
      tmp.fill(0);
      this.rows.downRows(x, c * H * W, W, tmp);
      for (let r = 0; r < h; r++) this.cols.down(tmp, r * W, 1, out, c * h * w + r * w, 1);
    }
    return out;
  }

  /**
   * In place: X ← X + P_h (Y − D X) P_wᵀ, the orthogonal projection onto {X : D X = Y}.
   * @returns the RMS of Y − D X before the update (in the images' units).
   */
  project(x: Float64Array, y: ArrayLike<number>, channels: number, relaxation = 1): number {
    const { height: H, width: W } = this;
    const h = this.lrHeight;
    const w = this.lrWidth;
    const r = this.downscale(x, channels);
    let ss = 0;
    for (let i = 0; i < r.length; i++) {
      const d = y[i] - r[i];
      ss += d * d;
      r[i] = relaxation * d;
    }
    const tmp = new Float64Array(h * W);
    for (let c = 0; c < channels; c++) {
      const rb = c * h * w;
      // Along W: solve (D_w D_wᵀ) on each LR row, then expand with D_wᵀ → [h, W].
      tmp.fill(0);
      for (let i = 0; i < h; i++) {
        this.cols.solve(r, rb + i * w, 1);
        this.cols.addTransposed(r, rb + i * w, 1, tmp, i * W, 1);
      }
      // Along H (whole rows at once): solve, expand with D_hᵀ and add to X.
      this.rows.solveRows(tmp, W);
      this.rows.addTransposedRows(tmp, W, x, c * H * W);
    }
    return Math.sqrt(ss / r.length);
  }
}
