/**
 * Query geometry of CiaoSR's decoder, computed in plain JS (no tensors): which LR pixels every HR query
 * reads, its relative coordinates, and the bilinear weights of the LR residual. All of it depends only on
 * sizes and scale, and it is separable (per HR row and per HR column), so it is a pair of 1-D tables and
 * the feature fetches become a single `tf.gather` (tfjs has no `grid_sample`).
 *
 * Which LR pixel a query reads must follow PyTorch's float32 arithmetic operation by operation, not the
 * exact real-number geometry: the official code (`ciaosr_net.py`, `query_rgb`) builds the HR coordinates
 * with `make_coord` in float32 ({@link coordAxis}), and `grid_sample(mode='nearest', align_corners=False)`
 * unnormalises them as `(x + 1)·(n/2) − 0.5`, rounding to float32 after EACH operation
 * ({@link sourcePosition}), then rounds half-to-even. At scales where an HR centre falls exactly on the
 * boundary of two LR pixels (column 25 of 45 over 30 LR columns: exactly 16.5), make_coord's last-bit
 * error is either carried up by the float32 `x + 1` (16.5000019 → 17) or absorbed by it (x = 5.96e-8 for
 * the exact 0: `x + 1` = 1, a tie at 14.5 → 14); any other evaluation order (e.g. `x·n/2 + (n−1)/2` with
 * one rounding) picks the other pixel there. PyTorch's other evaluation orders — the scalar kernel's
 * `((x + 1)·n − 1)/2` and a build that fuses the multiply and subtract — pick the same pixels as this one
 * for every LR length ≤ 64 and HR length ≤ min(30·n, 600), shifted or not (checked exhaustively, issue #20);
 * the property test `geometry-property.test.ts` compares against both. The neighbour shift is CiaoSR's `r = (1 − cell)/(h − 1)`
 * (`tx = (H−1)/(1−scale)`, `rx = 1/tx`, float32 tensor ops), which differs from LIIF's `1/h`.
 * @module
 */

import { coordAxis, roundHalfEven, sourcePosition } from '@sr/core';

const f32 = Math.fround;

/**
 * `grid_sample` nearest index (align_corners=False) of a float32 coordinate on an axis of length `n`:
 * PyTorch's float32 {@link sourcePosition} rounded half-to-even (`nearbyint`), clamped to `[0, n−1]`
 * (CiaoSR's fetches never leave the map: the HR centres and the clamped shifted coordinates are inside).
 */
export function nearestIndex(x: number, n: number): number {
  const i = roundHalfEven(sourcePosition(x, n));
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Sizes and scale of one image (or one batch element) the decoder queries. */
export interface ImageGeometry {
  /** LR size of the whole image (global coordinates are relative to it). */
  h: number;
  w: number;
  /** HR size the coordinates and cell are made for. */
  H: number;
  W: number;
}

/**
 * A block of HR queries: rows `rows` × cols `cols` of the HR grid of one image, decoded against a
 * feature window whose top-left LR pixel is `(oy, ox)` and whose size is `wh × ww`, sitting at
 * `base` in the flattened `[B·wh·ww, D]` feature maps (batch element offset).
 */
export interface QueryBlock {
  geom: ImageGeometry;
  /** HR row indices (global) and HR col indices (global) of the block; queries are their product, row-major. */
  rows: ArrayLike<number>;
  cols: ArrayLike<number>;
  /** Window origin and size in LR pixels (the whole image for untiled inference). */
  oy: number;
  ox: number;
  wh: number;
  ww: number;
  /** Flattened offset of this window in the feature maps (b·wh·ww for batch element b). */
  base: number;
}

/** Host-side arrays consumed by the decoder for `Q` queries. */
export interface QueryArrays {
  count: number;
  /** Index of the LR pixel containing each query (unshifted nearest fetch), `[Q]`. */
  qIdx: Int32Array;
  /** Indices of the 4 neighbours, neighbour-major `[4·Q]` (order (−1,−1), (−1,+1), (+1,−1), (+1,+1)). */
  nIdx: Int32Array;
  /** `[rel_y, rel_x, cell_y·h, cell_x·w]` per neighbour and query, neighbour-major `[4·Q, 4]`. */
  ext: Float32Array;
  /** Bilinear (border) residual: 4 corner indices and weights per query, `[Q, 4]` each. */
  bIdx: Int32Array;
  bW: Float32Array;
}

/** Neighbour offsets in the official loop order `[(i, j) for i in (-1, 1) for j in (-1, 1)]`. */
export const NEIGHBOURS: ReadonlyArray<[number, number]> = [
  [-1, -1],
  [-1, 1],
  [1, -1],
  [1, 1],
];

interface AxisTable {
  /** unshifted nearest index per HR position */
  q: Int32Array;
  /** nearest index after the −/+ shift */
  nm: Int32Array;
  np: Int32Array;
  /** rel coordinate (coord − centre)·n for the −/+ neighbour */
  rm: Float32Array;
  rp: Float32Array;
  /** bilinear border residual: low index, high index, weight of high */
  b0: Int32Array;
  b1: Int32Array;
  bw: Float32Array;
  /** weight of low: `(i0 + 1) − ix` in float32 (PyTorch's `ix_se − ix`) */
  bw0: Float32Array;
  /** cell·n */
  sc: number;
}

const axisCache = new Map<string, AxisTable>();

/** Per-axis tables (the geometry is separable): HR length `N` over LR length `n`. */
function axisTable(n: number, N: number): AxisTable {
  const key = `${n}:${N}`;
  const hit = axisCache.get(key);
  if (hit) return hit;
  const hr = coordAxis(N);
  const lr = coordAxis(n);
  const cell = f32(2 / N);
  // tx = (n − 1)/(1 − cell), r = 1/tx; all float32 tensor ops in the official code. n = 1 gives r = ∞
  // in PyTorch (division by zero), which clamps every shifted coordinate to the border: same here.
  const tx = f32((n - 1) / f32(1 - cell));
  const r = f32(1 / tx);
  const eps = f32(1e-6);
  const lo = f32(-1 + 1e-6);
  const hi = f32(1 - 1e-6);
  const shift = (x: number, sign: number) => {
    let y = f32(x + f32(f32(sign * r) + eps));
    if (!(y >= lo)) y = lo; // also catches NaN from ∞ − ∞
    if (y > hi) y = hi;
    return y;
  };
  const t: AxisTable = {
    q: new Int32Array(N),
    nm: new Int32Array(N),
    np: new Int32Array(N),
    rm: new Float32Array(N),
    rp: new Float32Array(N),
    b0: new Int32Array(N),
    b1: new Int32Array(N),
    bw: new Float32Array(N),
    bw0: new Float32Array(N),
    sc: f32(cell * n),
  };
  for (let k = 0; k < N; k++) {
    const x = hr[k];
    t.q[k] = nearestIndex(x, n);
    const im = nearestIndex(shift(x, -1), n);
    const ip = nearestIndex(shift(x, 1), n);
    t.nm[k] = im;
    t.np[k] = ip;
    t.rm[k] = f32(f32(x - lr[im]) * n);
    t.rp[k] = f32(f32(x - lr[ip]) * n);
    // bilinear, padding 'border' (PyTorch `clip_coordinates`): the same float32 source position, clipped
    // to [0, n−1], interpolated between floor and floor+1 (continuous, so only the weights' float32
    // rounding is at stake; the weights are formed in float32 as the kernel does, see fillQueries)
    const ix = Math.min(Math.max(sourcePosition(x, n), 0), n - 1);
    const i0 = Math.floor(ix);
    t.b0[k] = i0;
    t.b1[k] = Math.min(i0 + 1, n - 1);
    t.bw[k] = ix - i0; // exact in float32 (Sterbenz), PyTorch's ix − ix_nw
    t.bw0[k] = f32(i0 + 1 - ix);
  }
  if (axisCache.size > 64) axisCache.clear();
  axisCache.set(key, t);
  return t;
}

/** The LR pixel (global index) containing each HR row (or column): the unshifted nearest fetch. */
export function containingIndex(n: number, N: number): Int32Array {
  return axisTable(n, N).q;
}

/** Builds the decoder's host arrays for the queries of a block (row-major over `rows × cols`). */
export function queryArrays(block: QueryBlock): QueryArrays {
  const { rows, cols } = block;
  const Q = rows.length * cols.length;
  const ys = new Int32Array(Q);
  const xs = new Int32Array(Q);
  let q = 0;
  for (let a = 0; a < rows.length; a++)
    for (let b = 0; b < cols.length; b++, q++) {
      ys[q] = rows[a];
      xs[q] = cols[b];
    }
  return fillQueries(block, ys, xs);
}

/**
 * Host arrays for a list of HR pixels `(ys[i], xs[i])` (training samples random HR pixels); same rules
 * as {@link queryArrays}, which is this function on a grid.
 */
export function fillQueries(block: Omit<QueryBlock, 'rows' | 'cols'>, ys: ArrayLike<number>, xs: ArrayLike<number>): QueryArrays {
  const { geom, oy, ox, wh, ww, base } = block;
  const ty = axisTable(geom.h, geom.H);
  const tx = axisTable(geom.w, geom.W);
  const Q = ys.length;
  const qIdx = new Int32Array(Q);
  const nIdx = new Int32Array(4 * Q);
  const ext = new Float32Array(16 * Q);
  const bIdx = new Int32Array(4 * Q);
  const bW = new Float32Array(4 * Q);
  const at = (iy: number, ix: number) => {
    const y = iy - oy;
    const x = ix - ox;
    if (y < 0 || y >= wh || x < 0 || x >= ww)
      throw new Error(`internal: LR pixel (${iy}, ${ix}) outside the feature window at (${oy}, ${ox}) of ${wh}×${ww}`);
    return base + y * ww + x;
  };
  for (let q = 0; q < Q; q++) {
    const Y = ys[q];
    const X = xs[q];
    qIdx[q] = at(ty.q[Y], tx.q[X]);
    for (let v = 0; v < 4; v++) {
      const [vy, vx] = NEIGHBOURS[v];
      const iy = vy < 0 ? ty.nm[Y] : ty.np[Y];
      const ix = vx < 0 ? tx.nm[X] : tx.np[X];
      const row = v * Q + q;
      nIdx[row] = at(iy, ix);
      ext[4 * row] = vy < 0 ? ty.rm[Y] : ty.rp[Y];
      ext[4 * row + 1] = vx < 0 ? tx.rm[X] : tx.rp[X];
      ext[4 * row + 2] = ty.sc;
      ext[4 * row + 3] = tx.sc;
    }
    // PyTorch: nw = (ix_se − ix)·(iy_se − iy), ne = (ix − ix_nw)·(iy_se − iy), sw, se likewise (float32)
    const wy1 = ty.bw[Y];
    const wx1 = tx.bw[X];
    const wy0 = ty.bw0[Y];
    const wx0 = tx.bw0[X];
    bIdx[4 * q] = at(ty.b0[Y], tx.b0[X]);
    bIdx[4 * q + 1] = at(ty.b0[Y], tx.b1[X]);
    bIdx[4 * q + 2] = at(ty.b1[Y], tx.b0[X]);
    bIdx[4 * q + 3] = at(ty.b1[Y], tx.b1[X]);
    bW[4 * q] = wx0 * wy0;
    bW[4 * q + 1] = wx1 * wy0;
    bW[4 * q + 2] = wx0 * wy1;
    bW[4 * q + 3] = wx1 * wy1;
  }
  return { count: Q, qIdx, nIdx, ext, bIdx, bW };
}

/** Concatenates query arrays (e.g. batch elements) keeping the neighbour-major layout. */
export function concatQueryArrays(parts: QueryArrays[]): QueryArrays {
  const Q = parts.reduce((a, p) => a + p.count, 0);
  const out: QueryArrays = {
    count: Q,
    qIdx: new Int32Array(Q),
    nIdx: new Int32Array(4 * Q),
    ext: new Float32Array(16 * Q),
    bIdx: new Int32Array(4 * Q),
    bW: new Float32Array(4 * Q),
  };
  let off = 0;
  for (const p of parts) {
    out.qIdx.set(p.qIdx, off);
    out.bIdx.set(p.bIdx, 4 * off);
    out.bW.set(p.bW, 4 * off);
    for (let v = 0; v < 4; v++) {
      out.nIdx.set(p.nIdx.subarray(v * p.count, (v + 1) * p.count), v * Q + off);
      out.ext.set(p.ext.subarray(4 * v * p.count, 4 * (v + 1) * p.count), 4 * (v * Q + off));
    }
    off += p.count;
  }
  return out;
}
