/**
 * An independent, step-by-step float32 model of the PyTorch arithmetic that decides which LR pixel
 * the LIIF family's nearest `grid_sample` fetches read — the reference of the property tests (issue
 * #20). Deliberately written apart from `@sr/core` / `@sr/ciaosr` (no shared helpers): every tensor
 * operation of the official code is one `Math.fround`, Python scalars are doubles until they meet a
 * float32 tensor (PyTorch then converts the scalar to float32 before the operation).
 * @module
 */

const f = Math.fround;

/** C `nearbyint` in the default rounding mode: round half to even. */
export function nearbyint(v: number): number {
  const lo = Math.floor(v);
  const frac = v - lo;
  if (frac !== 0.5) return frac < 0.5 ? lo : lo + 1;
  return lo % 2 === 0 ? lo : lo + 1;
}

/**
 * LIIF/mmedit `make_coord` of one axis: `r = (v1 − v0)/(2n)` and `v0 + r` are Python doubles;
 * `(2r)·arange(n).float()` and `(v0 + r) + …` are float32 tensor ops.
 */
export function makeCoordAxisF32(n: number, v0 = -1, v1 = 1): Float32Array {
  const r = (v1 - v0) / (2 * n);
  const start = f(v0 + r);
  const step = f(2 * r);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = f(start + f(step * k));
  return out;
}

/**
 * `grid_sample`'s source position (align_corners=False) as the vectorised CPU kernel computes it
 * (`GridSamplerKernel.cpp`, `ComputeLocationBase<…, false>::unnormalize`): `(c + 1)·(n/2) − 0.5`.
 */
export function unnormalizeVec(c: number, n: number): number {
  return f(f(f(c + 1) * f(n / 2)) - 0.5);
}

/** The same position as the scalar path computes it (`GridSampler.h`, `grid_sampler_unnormalize`): `((c + 1)·n − 1)/2`. */
export function unnormalizeScalar(c: number, n: number): number {
  return f(f(f(f(c + 1) * n) - 1) / 2);
}

/**
 * PyTorch's nearest index of coordinate `c` on an axis of `n` pixels (unclamped). Both kernel paths are
 * evaluated; they have never been seen to disagree on an index, and if they ever do the caller is told
 * (an exception), since the reference would then depend on which kernel PyTorch dispatched to.
 */
export function nearestIndexF32(c: number, n: number): number {
  const a = nearbyint(unnormalizeVec(c, n));
  const b = nearbyint(unnormalizeScalar(c, n));
  if (a !== b) throw new Error(`reference: grid_sample kernel paths disagree at c=${c}, n=${n} (${a} vs ${b})`);
  return a;
}

const EPS = 1e-6;
const LO = f(-1 + 1e-6);
const HI = f(1 - 1e-6);

/** `coord_.clamp_(-1 + 1e-6, 1 - 1e-6)` (the Python bounds become float32). */
function clamp(c: number): number {
  return c < LO ? LO : c > HI ? HI : c;
}

/** The fetches of one axis: the pixel containing the query and the −/+ neighbours, with `rel = (c − centre)·n`. */
export interface AxisFetch {
  q: number;
  minus: number;
  plus: number;
  relMinus: number;
  relPlus: number;
}

/**
 * CiaoSR (`ciaosr_net.py`, `query_rgb`) on an HR axis of `N` over an LR axis of `n`: cell = `2/N`
 * (float32 tensor), `tx = (n − 1)/(1 − cell)` and `r = 1/tx` (float32 tensor ops),
 * `coord_ += v·r + 1e-6` (the sum is a float32 tensor, then added in place), clamp, nearest; the
 * unshifted query fetch uses the coordinate itself. `rel` uses the LR `make_coord` centre of the pick.
 */
export function ciaosrAxisFetches(n: number, N: number): AxisFetch[] {
  const hr = makeCoordAxisF32(N);
  const lr = makeCoordAxisF32(n);
  const cell = f(1 * f(2 / N)); // cell[:, 0] *= 2 / H on a ones tensor
  const tx = f((n - 1) / f(1 - cell));
  const r = f(1 / tx);
  const eps = f(EPS);
  const shifted = (c: number, v: number) => {
    const s = clamp(f(c + f(f(v * r) + eps)));
    return Number.isNaN(s) ? LO : s; // n = 1: r = ∞, −∞ + … stays −∞ (clamps to LO); never NaN for c finite
  };
  return Array.from(hr, (c) => {
    const minus = nearestIndexF32(shifted(c, -1), n);
    const plus = nearestIndexF32(shifted(c, 1), n);
    return { q: nearestIndexF32(c, n), minus, plus, relMinus: f(f(c - lr[minus]) * n), relPlus: f(f(c - lr[plus]) * n) };
  });
}

/**
 * LIIF/LTE (`models/liif.py`, `query_rgb`) for one coordinate `c` on an LR axis of `n`: `rx = 2/n/2`
 * and `v·rx + eps_shift` are Python doubles, the sum becomes float32 when added to the coordinate
 * tensor; clamp; nearest; `rel = (c − centre)·n` with the LR `make_coord` centre.
 */
export function liifAxisFetch(c: number, n: number): AxisFetch {
  const lr = makeCoordAxisF32(n);
  const rx = 2 / n / 2;
  const pick = (v: number) => {
    const i = nearestIndexF32(clamp(f(c + f(v * rx + EPS))), n);
    return { i, rel: f(f(c - lr[i]) * n) };
  };
  const m = pick(-1);
  const p = pick(1);
  return { q: nearestIndexF32(c, n), minus: m.i, plus: p.i, relMinus: m.rel, relPlus: p.rel };
}
