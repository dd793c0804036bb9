/**
 * The 1-D resampling weights of MATLAB's `imresize` (bicubic), as ported by BasicSR
 * (`basicsr/utils/matlab_functions.py: calculate_weights_indices`) and by fatheral/matlab_imresize
 * (used by the NTIRE 2021 scorer). Plain JS, float64, no tfjs.
 * @module
 */
import { InputError } from '../errors/index.js';

/**
 * MATLAB's cubic convolution kernel with a = -0.5 (Keys 1981), the `cubic` of MATLAB's imresize.m:
 * `1.5|x|³ − 2.5|x|² + 1` for |x| ≤ 1, `−0.5|x|³ + 2.5|x|² − 4|x| + 2` for 1 < |x| ≤ 2, else 0.
 */
export function cubicKernel(x: number): number {
  const a = Math.abs(x);
  const a2 = a * a;
  const a3 = a2 * a;
  if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
  if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
  return 0;
}

/** Weights and source indices of one 1-D resampling pass (row-major `[outLength, taps]`). */
export interface ResizeWeights {
  inLength: number;
  outLength: number;
  /** outLength / inLength as used by the kernel (MATLAB: the requested scale). */
  scale: number;
  /** Taps per output sample after dropping all-zero tap columns. */
  taps: number;
  /** `weights[o * taps + k]`; each row sums to 1. */
  weights: Float64Array;
  /** 0-based indices into the ORIGINAL signal, already mirrored symmetrically into `[0, inLength)`. */
  indices: Int32Array;
  /** BasicSR's form: 0-based indices into the signal padded with `symLenStart`/`symLenEnd` mirrored samples. */
  paddedIndices: Int32Array;
  /** Samples mirrored before the start (BasicSR `sym_len_s`). */
  symLenStart: number;
  /** Samples mirrored after the end (BasicSR `sym_len_e`). */
  symLenEnd: number;
}

/** MATLAB 'symmetric' padding (edge sample repeated: …, 1, 0 | 0, 1, … | n−1, n−1, …) for any offset. */
export function mirrorIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/**
 * Weights/indices of MATLAB bicubic resampling from `inLength` to `outLength` samples at `scale`
 * (BasicSR `calculate_weights_indices(in, out, scale, 'cubic', 4, antialiasing)`):
 * output sample k (1-based) sits at input coordinate `u = k/scale + 0.5(1 − 1/scale)`; when
 * downscaling with antialiasing the kernel is stretched, `h(x) = scale·cubic(scale·x)` with width
 * `4/scale`; `ceil(width) + 2` taps start at `floor(u − width/2)`; rows are normalised to sum 1 and
 * all-zero tap columns are dropped (MATLAB/fatheral rule; BasicSR drops the first/last column, the same
 * columns in practice since those taps always sit at distance ≥ width/2).
 */
export function resizeWeights(inLength: number, outLength: number, scale: number, antialias = true): ResizeWeights {
  if (!(Number.isInteger(inLength) && inLength > 0 && Number.isInteger(outLength) && outLength > 0))
    throw new InputError(`resizeWeights: lengths must be positive integers (got ${inLength} → ${outLength})`);
  if (!(scale > 0 && Number.isFinite(scale))) throw new InputError(`resizeWeights: scale must be a positive finite number (got ${scale})`);
  const stretch = scale < 1 && antialias;
  const width = stretch ? 4 / scale : 4;
  const p = Math.ceil(width) + 2;
  const w = new Float64Array(outLength * p);
  const idx = new Int32Array(outLength * p); // 1-based like MATLAB/BasicSR
  for (let o = 0; o < outLength; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale);
    const left = Math.floor(u - width / 2);
    let sum = 0;
    for (let k = 0; k < p; k++) {
      const j = left + k;
      const d = u - j;
      const v = stretch ? scale * cubicKernel(d * scale) : cubicKernel(d);
      w[o * p + k] = v;
      idx[o * p + k] = j;
      sum += v;
    }
    for (let k = 0; k < p; k++) w[o * p + k] /= sum;
  }
  const keep: number[] = [];
  for (let k = 0; k < p; k++) {
    let any = false;
    for (let o = 0; o < outLength && !any; o++) any = w[o * p + k] !== 0;
    if (any) keep.push(k);
  }
  const taps = keep.length;
  const weights = new Float64Array(outLength * taps);
  const indices = new Int32Array(outLength * taps);
  const paddedIndices = new Int32Array(outLength * taps);
  let min = Infinity;
  let max = -Infinity;
  for (let o = 0; o < outLength; o++)
    for (let t = 0; t < taps; t++) {
      const j = idx[o * p + keep[t]!]!;
      if (j < min) min = j;
      if (j > max) max = j;
    }
  const symLenStart = Math.max(0, -min + 1);
  const symLenEnd = Math.max(0, max - inLength);
  for (let o = 0; o < outLength; o++)
    for (let t = 0; t < taps; t++) {
      const j = idx[o * p + keep[t]!]!;
      weights[o * taps + t] = w[o * p + keep[t]!]!;
      indices[o * taps + t] = mirrorIndex(j - 1, inLength);
      paddedIndices[o * taps + t] = j + symLenStart - 1;
    }
  return { inLength, outLength, scale, taps, weights, indices, paddedIndices, symLenStart, symLenEnd };
}

/** A requested output size or scale, resolved per axis (MATLAB: out = ceil(scale·in); a size gives scale = out/in). */
export interface ResolvedResize {
  outHeight: number;
  outWidth: number;
  scaleH: number;
  scaleW: number;
}

/** Resolves `scaleOrSize` for an `inHeight × inWidth` image (MATLAB `imresize` rules). */
export function resolveResize(
  inHeight: number,
  inWidth: number,
  scaleOrSize: number | { height: number; width: number },
): ResolvedResize {
  if (typeof scaleOrSize === 'number') {
    if (!(scaleOrSize > 0 && Number.isFinite(scaleOrSize))) throw new InputError(`imresize: scale must be a positive finite number (got ${scaleOrSize})`);
    // MATLAB/BasicSR: ceil(scale·in) in float64, as is (0.1·30 = 3.0000000000000004 gives 4 there too);
    // pass an explicit {height, width} when the float product is not exact.
    const size = (n: number) => Math.ceil(n * scaleOrSize);
    return { outHeight: size(inHeight), outWidth: size(inWidth), scaleH: scaleOrSize, scaleW: scaleOrSize };
  }
  const { height, width } = scaleOrSize;
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0))
    throw new InputError(`imresize: output size must be positive integers (got ${height}×${width})`);
  return { outHeight: height, outWidth: width, scaleH: height / inHeight, scaleW: width / inWidth };
}

/** MATLAB resizes along dimensions in order of increasing scale; ties keep height first. */
export function passOrder(r: ResolvedResize): ['h', 'w'] | ['w', 'h'] {
  return r.scaleW < r.scaleH ? ['w', 'h'] : ['h', 'w'];
}
