/**
 * Pillow's `Image.resize` for 8-bit RGB images (Pillow 9.x `libImaging/Resample.c`), bit-exact:
 * the official RefVAE resizes every reference with torchvision `Resize((256, 256))` on a PIL image
 * (PIL BILINEAR — torchvision 0.14's default) and the "LR itself" reference with
 * `LR.resize((256, 256))` (PIL's default BICUBIC, a = −0.5). Pure JS, no tfjs.
 * @module
 */

/** Resampling filters of {@link pilResize}. */
export type PilFilter = 'bilinear' | 'bicubic';

/** An interleaved HWC uint8 image. */
export interface Uint8Image {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Fixed-point precision of Pillow's 8-bit resampler (`PRECISION_BITS = 32 − 8 − 2`). */
const PRECISION_BITS = 22;

const FILTERS: Record<PilFilter, { support: number; fn: (x: number) => number }> = {
  bilinear: {
    support: 1,
    fn: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  bicubic: {
    support: 2,
    fn: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/** Per-output bounds and fixed-point coefficients (`precompute_coeffs` + `normalize_coeffs_8bpc`). */
function coeffs(inSize: number, outSize: number, filter: PilFilter): { xmin: Int32Array; xcount: Int32Array; k: Int32Array; ksize: number } {
  const f = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = f.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const xmin = new Int32Array(outSize);
  const xcount = new Int32Array(outSize);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    // C casts truncate toward zero.
    let lo = Math.trunc(center - support + 0.5);
    if (lo < 0) lo = 0;
    let hi = Math.trunc(center + support + 0.5);
    if (hi > inSize) hi = inSize;
    const n = hi - lo;
    let ww = 0;
    for (let x = 0; x < n; x++) {
      w[x] = f.fn((x + lo - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < n; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    xmin[xx] = lo;
    xcount[xx] = n;
  }
  return { xmin, xcount, k, ksize };
}

const clip8 = (ss: number): number => {
  const v = Math.floor(ss / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes an 8-bit HWC image exactly as Pillow's `Image.resize((width, height), filter)` (no box,
 * no reducing gap): horizontal pass first into an 8-bit buffer, then the vertical pass, each with
 * 22-bit fixed-point coefficients and round-half-up. Returns the input unchanged (copied) when the
 * size already matches, as Pillow does.
 */
export function pilResize(img: Uint8Image, width: number, height: number, filter: PilFilter = 'bilinear'): Uint8Image {
  const { width: w0, height: h0, channels: c, data } = img;
  if (data.length !== w0 * h0 * c) throw new Error(`pilResize: ${data.length} samples for ${w0}×${h0}×${c}`);
  if (!(width > 0 && height > 0)) throw new Error(`pilResize: bad output size ${width}×${height}`);
  if (width === w0 && height === h0) return { width, height, channels: c, data: Uint8Array.from(data) };
  const half = 1 << (PRECISION_BITS - 1);
  let cur = data;
  let curW = w0;
  let curH = h0;
  const vert = coeffs(h0, height, filter);
  if (width !== w0) {
    const hz = coeffs(w0, width, filter);
    // Only the rows the vertical pass reads (Pillow's ybox_first … ybox_last).
    const first = height !== h0 ? vert.xmin[0] : 0;
    const last = height !== h0 ? vert.xmin[height - 1] + vert.xcount[height - 1] : h0;
    const rows = last - first;
    const out = new Uint8Array(rows * width * c);
    for (let y = 0; y < rows; y++) {
      const src = (y + first) * w0 * c;
      for (let xx = 0; xx < width; xx++) {
        const lo = hz.xmin[xx];
        const n = hz.xcount[xx];
        const kb = xx * hz.ksize;
        for (let ch = 0; ch < c; ch++) {
          let ss = half;
          for (let x = 0; x < n; x++) ss += data[src + (lo + x) * c + ch] * hz.k[kb + x];
          out[(y * width + xx) * c + ch] = clip8(ss);
        }
      }
    }
    if (height !== h0) for (let i = 0; i < height; i++) vert.xmin[i] -= first;
    cur = out;
    curW = width;
    curH = rows;
  }
  if (height === h0) return { width, height, channels: c, data: cur };
  const out = new Uint8Array(height * curW * c);
  for (let yy = 0; yy < height; yy++) {
    const lo = vert.xmin[yy];
    const n = vert.xcount[yy];
    const kb = yy * vert.ksize;
    for (let xx = 0; xx < curW; xx++)
      for (let ch = 0; ch < c; ch++) {
        let ss = half;
        for (let y = 0; y < n; y++) ss += cur[((lo + y) * curW + xx) * c + ch] * vert.k[kb + y];
        out[(yy * curW + xx) * c + ch] = clip8(ss);
      }
  }
  void curH;
  return { width: curW, height, channels: c, data: out };
}
