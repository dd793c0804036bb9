/**
 * The GCM partition strategy (paper §3.2, Fig. 4b): the context is cut into non-overlapping r×r
 * patches and N of them are chosen by "uniformly sampling along the spatial dimensions".
 * @module
 */
import { InputError, createRng } from '@sr/core';

/** A uniform random number generator in [0, 1). */
export type Uniform = () => number;

/** mulberry32: core's seedable generator (`createRng(seed).next`), the same sequence everywhere. */
export function mulberry32(seed: number): Uniform {
  return createRng(seed).next;
}

/** Top-left corners (LR pixels) of the chosen r×r patches. */
export interface PatchSelection {
  ys: number[];
  xs: number[];
  /** Patch grid size before subsampling: ⌊H/r⌋ × ⌊W/r⌋. */
  gridH: number;
  gridW: number;
}

/**
 * Chooses up to `n` of the ⌊H/r⌋×⌊W/r⌋ grid patches on a uniform `ny × nx` lattice whose aspect follows
 * the image (ny·nx ≤ n). Lattice point k of an axis takes grid cell ⌊(k + o)·G/n_axis⌋ where the offset
 * o is 0.5 (cell centres) at inference — fully deterministic, no randomness — and, when `rng` is given
 * (training), a fresh uniform draw in [0, 1) per axis, which jitters the lattice so every patch is seen
 * during training. When the grid has ≤ n patches all are taken. Remainder rows/columns (H mod r) are
 * not covered, as with a non-overlapping partition; an image smaller than r in a dimension is an error.
 */
export function selectPatches(imageH: number, imageW: number, r: number, n: number, rng?: Uniform): PatchSelection {
  const gridH = Math.floor(imageH / r);
  const gridW = Math.floor(imageW / r);
  if (gridH < 1 || gridW < 1) throw new InputError(`the context (${imageW}×${imageH}) is smaller than one ${r}×${r} GCM patch`);
  if (!(Number.isInteger(n) && n >= 1)) throw new InputError(`numPatches must be a positive integer, got ${n}`);
  let ny: number;
  let nx: number;
  if (gridH * gridW <= n) {
    ny = gridH;
    nx = gridW;
  } else {
    ny = Math.min(gridH, Math.max(1, Math.floor(Math.sqrt((n * gridH) / gridW))));
    nx = Math.min(gridW, Math.max(1, Math.floor(n / ny)));
  }
  const oy = rng ? rng() : 0.5;
  const ox = rng ? rng() : 0.5;
  const pick = (count: number, grid: number, o: number) => Array.from({ length: count }, (_, k) => Math.min(grid - 1, Math.floor(((k + o) * grid) / count)));
  const rows = pick(ny, gridH, oy);
  const cols = pick(nx, gridW, ox);
  const ys: number[] = [];
  const xs: number[] = [];
  for (const gy of rows) for (const gx of cols) {
    ys.push(gy * r);
    xs.push(gx * r);
  }
  return { ys, xs, gridH, gridW };
}
