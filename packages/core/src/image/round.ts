/** Rounds half to even, like `np.around`/`np.round` (internal; not re-exported). */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x); // half up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
