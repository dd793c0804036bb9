import { InputError } from '../errors/index.js';

/** A half-open pixel rectangle `[y0, y1) × [x0, x1)`. */
export interface Rect {
  y0: number;
  x0: number;
  y1: number;
  x1: number;
}

/** One tile: the `core` it is responsible for and the `patch` (core plus overlap, clipped) it reads. */
export interface Tile {
  /** Row-major tile index. */
  index: number;
  /** Grid position. */
  row: number;
  col: number;
  core: Rect;
  patch: Rect;
}

/** Options of {@link planTiles}. */
export interface TilePlanOptions {
  /** Core tile size in pixels (square), or `[th, tw]`. Infinity or ≥ the image: one tile. */
  tile: number | [number, number];
  /** Context added around each core on every side (clipped at the image border). */
  overlap: number;
}

/** Splits `[0, n)` into `ceil(n / t)` near-equal contiguous segments of at most `t` pixels. */
export function splitAxis(n: number, t: number): [number, number][] {
  if (!(n > 0)) throw new InputError(`cannot tile an empty axis (length ${n})`);
  if (!(t >= 1)) throw new InputError(`tile size must be ≥ 1, got ${t}`);
  const k = Math.ceil(n / Math.min(t, n));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) out.push([Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)]);
  return out;
}

/**
 * Plans a grid of tiles over an `h × w` image: disjoint cores that cover the image exactly (near-equal
 * sizes, none larger than `tile`), each with a patch extended by `overlap` pixels of context. Running a
 * local operator with receptive-field radius ≤ `overlap` on each patch and keeping the core reproduces
 * the untiled result exactly.
 */
export function planTiles(h: number, w: number, opts: TilePlanOptions): Tile[] {
  const [th, tw] = typeof opts.tile === 'number' ? [opts.tile, opts.tile] : opts.tile;
  const ov = opts.overlap;
  if (!(ov >= 0) || !Number.isInteger(ov)) throw new InputError(`tile overlap must be an integer ≥ 0, got ${ov}`);
  const rows = splitAxis(h, th);
  const cols = splitAxis(w, tw);
  const tiles: Tile[] = [];
  rows.forEach(([y0, y1], r) =>
    cols.forEach(([x0, x1], c) =>
      tiles.push({
        index: tiles.length,
        row: r,
        col: c,
        core: { y0, x0, y1, x1 },
        patch: { y0: Math.max(0, y0 - ov), x0: Math.max(0, x0 - ov), y1: Math.min(h, y1 + ov), x1: Math.min(w, x1 + ov) },
      }),
    ),
  );
  return tiles;
}
