/**
 * The fixed filters of the official VSpSR CEM (zzhwfy/VSpSR `CEM/imresize_CEM.py`, `CEM/CEMnet.py`,
 * after Bahat & Michaeli, "Explorable Super Resolution", CVPR 2020), recomputed in plain JS float64.
 *
 * The official code builds its degradation kernel h from the impulse response of **OpenCV
 * INTER_CUBIC** upscaling (Keys cubic with A = −0.75, no antialiasing): `Cubic_Kernel(sf)` resizes an
 * 11×11 delta by `sf` and crops the response to its support. That is not the kernel of MATLAB's
 * antialiased `imresize` (A = −0.5, stretched by the scale) that the NTIRE 2021 LR-PSNR uses, which
 * is why the official CEM is only approximately LR-consistent under that metric (see `cem-matlab.ts`).
 * @module
 */

/** The three depthwise filters of the official CEM, as 2-D row-major float32 arrays. */
export interface OpenCvCemFilters {
  scale: number;
  /** `cem_downscale_filter` = rot180(ds_kernel), applied by D as cross-correlation. */
  downscale: { size: number; data: Float32Array };
  /** `cem_upscale_filter` = ds_kernel·s², applied by U as cross-correlation after zero insertion. */
  upscale: { size: number; data: Float32Array };
  /** `cem_inv_hTh`: an LR-domain filter ≈ (D U)⁻¹ (FFT inverse with magnitude floor). */
  invHTh: { size: number; data: Float32Array };
  /** Offset of the kept sample inside each s×s block (`calc_strides`: s − ⌊s/2⌋ − 1). */
  preStride: number;
}

const f32 = Math.fround;

/**
 * OpenCV `interpolateCubic` (imgproc/resize.cpp) in float32, A = −0.75; `coeffs[3]` is `1 − Σ others`
 * exactly as OpenCV computes it.
 */
function opencvCubicCoeffs(x: number): [number, number, number, number] {
  const A = -0.75;
  const c0 = f32(f32(f32(f32(A * f32(x + 1)) - 5 * A) * f32(x + 1) + 8 * A) * f32(x + 1) - 4 * A);
  const c1 = f32(f32(f32(f32((A + 2) * x) - (A + 3)) * x) * x + 1);
  const c2 = f32(f32(f32(f32((A + 2) * f32(1 - x)) - (A + 3)) * f32(1 - x)) * f32(1 - x) + 1);
  const c3 = f32(f32(f32(1 - c0) - c1) - c2);
  return [c0, c1, c2, c3];
}

/**
 * 1-D impulse response of `cv2.resize(delta, (11·sf, 11·sf), INTER_CUBIC)` for a delta at index 5 of
 * 11 samples (`Delta_Im(11)`), cropped to its non-zero support (`Cubic_Kernel`). The 2-D response is
 * the outer product of this vector with itself (OpenCV's resize is separable).
 */
export function opencvCubicImpulse(sf: number): Float64Array {
  const n = 11;
  const centre = Math.ceil(n / 2) - 1;
  const full = new Float64Array(n * sf);
  const inv = 1 / sf;
  for (let dx = 0; dx < n * sf; dx++) {
    // OpenCV: fx = (float)((dx + 0.5)·scale − 0.5); sx = floor(fx); fx −= sx.
    let fx = f32((dx + 0.5) * inv - 0.5);
    const sx = Math.floor(fx);
    fx = f32(fx - sx);
    const c = opencvCubicCoeffs(fx);
    for (let k = 0; k < 4; k++) if (sx - 1 + k === centre) full[dx] = c[k];
  }
  let first = -1;
  let last = -1;
  for (let i = 0; i < full.length; i++)
    if (full[i] !== 0) {
      if (first < 0) first = i;
      last = i;
    }
  return full.slice(first, last + 1);
}

/** `calc_strides(None, s)`: the sample kept in each s×s block and the padding after it. */
export function cemStrides(s: number): { pre: number; post: number } {
  const post = Math.floor(s / 2);
  return { pre: s - post - 1, post };
}

function rot180(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) out[i] = a[n * n - 1 - i];
  return out;
}

/** Full 2-D convolution of two square kernels (scipy `convolve2d(a, b)`, mode 'full'). */
function conv2Full(a: Float64Array, na: number, b: Float64Array, nb: number): { data: Float64Array; size: number } {
  const n = na + nb - 1;
  const out = new Float64Array(n * n);
  for (let i = 0; i < na; i++)
    for (let j = 0; j < na; j++) {
      const v = a[i * na + j];
      if (v === 0) continue;
      for (let k = 0; k < nb; k++) for (let l = 0; l < nb; l++) out[(i + k) * n + (j + l)] += v * b[k * nb + l];
    }
  return { data: out, size: n };
}

/** Separable 2-D DFT (forward or inverse, unnormalised forward / normalised inverse, as numpy). */
function dft2(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  const sign = inverse ? 1 : -1;
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  const tr = new Float64Array(n);
  const ti = new Float64Array(n);
  const pass = (stride: number, base: number) => {
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const idx = base + t * stride;
        const m = (k * t) % n;
        sr += re[idx] * cos[m] - im[idx] * sin[m];
        si += re[idx] * sin[m] + im[idx] * cos[m];
      }
      tr[k] = sr;
      ti[k] = si;
    }
    for (let k = 0; k < n; k++) {
      re[base + k * stride] = tr[k];
      im[base + k * stride] = ti[k];
    }
  };
  for (let r = 0; r < n; r++) pass(1, r * n);
  for (let c = 0; c < n; c++) pass(n, c);
  if (inverse) {
    const s = 1 / (n * n);
    for (let i = 0; i < n * n; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }
}

/**
 * `CEMnet.Return_Invalid_Margin_Size_in_LR('inv_hTh', limit)`: filter a 100×100 image of ones
 * ('same' convolution, zero outside), normalise by the centre value and return how deep (from the
 * border, along the centre row/column) the relative deviation from 1 exceeds `1 − limit`.
 */
function invalidMargin(k: Float64Array, n: number, limit: number): number {
  const N = 100;
  const c = (n - 1) >> 1;
  const rowSum = new Float64Array(n);
  const colSum = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      rowSum[i] += k[i * n + j];
      colSum[j] += k[i * n + j];
    }
  // same(i, j) = Σ_{m,n} k[m,n]·ones[i+c−m, j+c−n]; at the centre column all kernel columns overlap.
  const along = (sums: Float64Array, i: number) => {
    let s = 0;
    for (let m = 0; m < n; m++) {
      const src = i + c - m;
      if (src >= 0 && src < N) s += sums[m];
    }
    return s;
  };
  const mid = N / 2;
  const centre = along(rowSum, mid);
  const deepest = (sums: Float64Array) => {
    let last = -1;
    for (let i = 0; i < mid; i++) {
      let v = along(sums, i) / centre;
      if (v <= 0) v = limit / 2;
      if (Math.exp(-Math.abs(Math.log(v))) < limit) last = i;
    }
    if (last < 0) throw new Error('CEM: inv_hTh has no invalid margin (unexpected filter)');
    return last + 1;
  };
  return Math.max(deepest(rowSum), deepest(colSum));
}

/**
 * Recomputes the official CEM filters for an integer scale (`get_cem(scale)`: OpenCV cubic kernel,
 * `lower_magnitude_bound` 0.1, `NFFT_add` 36, `desired_inv_hTh_energy_portion` 1 − 1e−6).
 */
export function opencvCemFilters(scale: number, lowerMagnitudeBound = 0.1): OpenCvCemFilters {
  if (!Number.isInteger(scale) || scale < 2) throw new Error(`CEM: integer scale ≥ 2 required, got ${scale}`);
  const s = scale;
  const k1 = opencvCubicImpulse(s);
  const { pre, post } = cemStrides(s);
  // imresize(return_upscale_kernel): pad by (post−pre) before when the factor is even, then
  // Return_kernel: rot180 → float32 → /s².
  const padPre = Math.max(0, post - pre);
  const padPost = Math.max(0, pre - post);
  const n = k1.length + padPre + padPost;
  const up = new Float64Array(n * n);
  for (let i = 0; i < k1.length; i++)
    for (let j = 0; j < k1.length; j++) up[(i + padPre) * n + (j + padPre)] = k1[i] * k1[j];
  const rot = rot180(up, n);
  const ds = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) ds[i] = f32(f32(rot[i]) / (s * s));
  const downscale = Float32Array.from(rot180(ds, n));
  const upscale = Float32Array.from(ds, (v) => v * s * s);

  // compute_inv_hTh: hTh = s²·(h ∗ rot180(h)) (float32 in the official code), aliased-downsampled.
  const full = conv2Full(ds, n, rot180(ds, n), n);
  const hthFull = Float64Array.from(full.data, (v) => f32(f32(v) * s * s));
  const half = Math.ceil(full.size / 2);
  let start = half % s;
  if (start === 0) start = s;
  start -= 1;
  const m = Math.floor((full.size - 1 - start) / s) + 1;
  const padF = 18; // NFFT_add / 2
  const N = m + 2 * padF;
  const re = new Float64Array(N * N);
  const im = new Float64Array(N * N);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) re[(i + padF) * N + (j + padF)] = hthFull[(start + i * s) * full.size + (start + j * s)];
  dft2(re, im, N, false);
  // Bound |H| from below (frequencies the kernel wipes out would blow up the inverse), then 1/H.
  for (let i = 0; i < N * N; i++) {
    const mag = Math.hypot(re[i], im[i]);
    const g = Math.max(1, lowerMagnitudeBound / mag);
    const a = re[i] * g;
    const b = im[i] * g;
    const d = a * a + b * b;
    re[i] = a / d;
    im[i] = -b / d;
  }
  dft2(re, im, N, true);
  let inv = re;
  let size = N;
  let arg = 0;
  for (let i = 1; i < N * N; i++) if (inv[i] > inv[arg]) arg = i;
  const maxRow = Math.floor(arg / N);
  const maxCol = arg % N;
  if (!(Math.ceil(N / 2) === maxRow - 1 && Math.ceil(N / 2) === maxCol - 1)) {
    const h = Math.min(N - maxRow - 1, N - maxCol - 1, maxRow, maxCol);
    size = 2 * h + 1;
    const c = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) c[i * size + j] = inv[(maxRow - h + i) * N + (maxCol - h + j)];
    inv = c;
  }
  const drop = (size >> 1) - invalidMargin(inv, size, 1 - 1e-6);
  if (drop > 0) {
    const ns = size - 2 * drop;
    const c = new Float64Array(ns * ns);
    for (let i = 0; i < ns; i++) for (let j = 0; j < ns; j++) c[i * ns + j] = inv[(i + drop) * size + (j + drop)];
    inv = c;
    size = ns;
  }
  return {
    scale: s,
    downscale: { size: n, data: downscale },
    upscale: { size: n, data: upscale },
    invHTh: { size, data: Float32Array.from(inv) },
    preStride: pre,
  };
}
