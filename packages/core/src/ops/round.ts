/**
 * Half-to-even ("banker's") rounding, the rounding of Python's `round()` on a float and of numpy's
 * `np.round`/`np.around`: the reference code sizes outputs with the first (`round(h * s)` in the
 * LIIF/LTE/CiaoSR test scripts) and quantises images with the second (`tensor2img`).
 * @module
 */

/** Rounds half to even like Python's `round()` and `np.round`: `round(2.5) = 2`, `round(3.5) = 4`, `round(-0.5) = 0`. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
