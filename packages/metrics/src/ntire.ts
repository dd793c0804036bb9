/**
 * NTIRE 2021 Learning the Super-Resolution Space scores, exactly as the official scorer
 * (andreas128/NTIRE21_Learning_SR_Space `measure.py`) computes them: GT cropped to multiples of 8,
 * spatial LPIPS-alex maps, the diversity score (global best vs local best) and LR-PSNR after the
 * fatheral MATLAB-imresize port on uint8 (rounded after each 1-D pass, rows first).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { imresizeUint8Passes, InputError } from '@sr/core';
import { cropRect, toPixels, type InputOptions, type MetricInput, type Pixels } from './input.js';
import { pixelsToLpipsInput, type Lpips } from './lpips/lpips.js';
import { mse, psnrFromMse } from './psnr.js';

/** Options shared by the NTIRE scores. */
export interface NtireOptions extends InputOptions {
  /** GT is cropped (top-left) to a multiple of this, samples to the GT's crop. Default 8 (measure.py). */
  cropMultiple?: number;
}

/** Top-left crop of the GT to multiples of `m`, and of `x` to the same size (measure.py). */
function ntireCrop(gt: Pixels, m: number): [number, number] {
  if (!(Number.isInteger(m) && m >= 1)) throw new InputError(`cropMultiple must be a positive integer (got ${m})`);
  const h = Math.floor(gt.height / m) * m;
  const w = Math.floor(gt.width / m) * m;
  if (!h || !w) throw new InputError(`GT ${gt.height}×${gt.width} is smaller than ${m}×${m}`);
  return [h, w];
}

function cropTo(p: Pixels, h: number, w: number, what: string): Pixels {
  if (p.height < h || p.width < w)
    throw new InputError(`${what}: ${p.height}×${p.width} is smaller than the cropped GT ${h}×${w}`, 'E_SHAPE');
  if (p.channels !== 3) throw new InputError(`${what}: NTIRE scores need RGB images, got ${p.channels} channel(s)`, 'E_CHANNELS');
  return cropRect(p, 0, 0, h, w);
}

/** Per-image diversity result. */
export interface DiversityResult {
  /** `100·(lpipsGlMin − lpipsLoc)/lpipsGlMin` (%). */
  score: number;
  /** Global LPIPS of each sample (mean of its spatial map). */
  lpipsGlobal: number[];
  /** Mean over samples of the global LPIPS (measure.py `LPIPS_mean`). */
  lpipsMean: number;
  /** Global best: min over samples of the global LPIPS. */
  lpipsGlMin: number;
  /** Local best: mean over pixels of the per-pixel min over samples. */
  lpipsLoc: number;
  /** The GT crop `[H, W]`. */
  cropHw: [number, number];
}

/**
 * NTIRE 2021 diversity score ("spanning the SR space") of SR samples against the GT, with an
 * LPIPS-alex v0.1 model (the scorer's): per sample the spatial LPIPS map on inputs `2·(x/255) − 1`,
 * `score = 100·(min_i mean(L_i) − mean_p min_i L_i(p)) / min_i mean(L_i)`. The challenge used 10 samples.
 */
export async function diversityScore(samples: MetricInput[], gt: MetricInput, opts: NtireOptions & { lpips: Lpips }): Promise<DiversityResult> {
  if (!samples.length) throw new InputError('diversityScore needs at least one sample');
  const g = await toPixels(gt, opts, 'diversityScore (GT)');
  return diversityPixels((i) => toPixels(samples[i]!, opts, `sample ${i}`), samples.length, g, opts);
}

/** {@link diversityScore} on converted pixels; samples are fetched one at a time to bound memory. */
export async function diversityPixels(
  sample: (i: number) => Promise<Pixels> | Pixels,
  count: number,
  g: Pixels,
  opts: NtireOptions & { lpips: Lpips },
): Promise<DiversityResult> {
  if (count < 1) throw new InputError('diversityScore needs at least one sample');
  if (opts.lpips.net !== 'alex') console.warn(`diversityScore: the NTIRE 2021 scorer uses LPIPS-alex, not '${opts.lpips.net}'`);
  const [h, w] = ntireCrop(g, opts.cropMultiple ?? 8);
  const gx = pixelsToLpipsInput(cropTo(g, h, w, 'GT'));
  const gf = opts.lpips.features(gx);
  gx.dispose();
  const minMap = new Float64Array(h * w).fill(Infinity);
  const lpipsGlobal: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const s = cropTo(await sample(i), h, w, `sample ${i}`);
      const sx = pixelsToLpipsInput(s);
      const out = tf.tidy(() => opts.lpips.compare(opts.lpips.features(sx), gf, { spatial: true, size: [h, w] }).map!);
      sx.dispose();
      const m = await out.data();
      out.dispose();
      let sum = 0;
      for (let p = 0; p < m.length; p++) {
        const v = m[p]!;
        sum += v;
        if (v < minMap[p]!) minMap[p] = v;
      }
      lpipsGlobal.push(sum / m.length);
    }
  } finally {
    tf.dispose(gf);
  }
  let loc = 0;
  for (let p = 0; p < minMap.length; p++) loc += minMap[p]!;
  const lpipsLoc = loc / minMap.length;
  const lpipsGlMin = Math.min(...lpipsGlobal);
  const lpipsMean = lpipsGlobal.reduce((a, b) => a + b, 0) / lpipsGlobal.length;
  return { score: (100 * (lpipsGlMin - lpipsLoc)) / lpipsGlMin, lpipsGlobal, lpipsMean, lpipsGlMin, lpipsLoc, cropHw: [h, w] };
}

/** Options of {@link lrPsnr}. */
export interface LrPsnrOptions extends NtireOptions {
  /**
   * What the reference is: 'gt' (HR, downscaled like the SR — the scorer's way), 'lr' (already low
   * resolution, compared directly), or 'auto' (default: by size).
   */
  reference?: 'auto' | 'gt' | 'lr';
}

/** `imresize(x, 1/scale)` of the fatheral port on uint8 (round after each pass, rows first). */
function downscaleUint8(p: Pixels, scale: number): Pixels {
  const r = imresizeUint8Passes(p, 1 / scale);
  return { data: Float64Array.from(r.data), height: r.height, width: r.width, channels: r.channels };
}

/**
 * LR-PSNR (NTIRE 2021): PSNR (peak 255, RGB, no border crop) between `imresize(sr, 1/scale)` and
 * `imresize(gt, 1/scale)`, both with the scorer's uint8 MATLAB-bicubic port; the GT and SR are first
 * cropped to multiples of 8 (top-left). With an LR reference, `imresize(sr, 1/scale)` is compared to it
 * directly (SR cropped to `scale·LR` size).
 */
export async function lrPsnr(sr: MetricInput, reference: MetricInput, scale: number, opts: LrPsnrOptions = {}): Promise<number> {
  if (!(scale > 0 && Number.isFinite(scale))) throw new InputError(`lrPsnr: scale must be a positive number (got ${scale})`);
  return lrPsnrPixels(await toPixels(sr, opts, 'lrPsnr (SR)'), await toPixels(reference, opts, 'lrPsnr (reference)'), scale, opts);
}

/** {@link lrPsnr} on converted pixels (synchronous). */
export function lrPsnrPixels(s: Pixels, ref: Pixels, scale: number, opts: LrPsnrOptions = {}): number {
  if (!(scale > 0 && Number.isFinite(scale))) throw new InputError(`lrPsnr: scale must be a positive number (got ${scale})`);
  let kind = opts.reference ?? 'auto';
  if (kind === 'auto') kind = ref.height * scale <= s.height && ref.width * scale <= s.width && ref.height < s.height ? 'lr' : 'gt';
  let a: Pixels;
  let b: Pixels;
  if (kind === 'gt') {
    const [h, w] = ntireCrop(ref, opts.cropMultiple ?? 8);
    a = downscaleUint8(cropTo(s, h, w, 'SR'), scale);
    b = downscaleUint8(cropTo(ref, h, w, 'GT'), scale);
  } else {
    a = downscaleUint8(cropTo(s, Math.round(ref.height * scale), Math.round(ref.width * scale), 'SR'), scale);
    b = ref;
    if (b.channels !== 3) throw new InputError(`lrPsnr: the LR reference must be RGB, got ${b.channels} channel(s)`, 'E_CHANNELS');
    if (a.height !== b.height || a.width !== b.width)
      throw new InputError(`lrPsnr: downscaled SR is ${a.height}×${a.width} but the LR is ${b.height}×${b.width}`, 'E_SHAPE');
  }
  return psnrFromMse(mse(a, b));
}

/** measure.py's per-image result (its key names) plus the per-sample values. */
export interface NtireImageScores {
  LPIPS_mean: number;
  LRPSNR_worst: number;
  LRPSNR_mean: number;
  score: number;
  lpipsGlobal: number[];
  lrPsnr: number[];
  lpipsGlMin: number;
  lpipsLoc: number;
}

/** All NTIRE 2021 scores of one image's samples (measure.py `lpips_analysis` + LR-PSNR). */
export async function ntireScores(samples: MetricInput[], gt: MetricInput, opts: NtireOptions & { lpips: Lpips; scale: number }): Promise<NtireImageScores> {
  const g = await toPixels(gt, opts, 'GT');
  const lr: number[] = [];
  // One pass over the samples: each is decoded once, scored for LR-PSNR, then fed to the LPIPS maps.
  const div = await diversityPixels(
    async (i) => {
      const p = await toPixels(samples[i]!, opts, `sample ${i}`);
      lr.push(lrPsnrPixels(p, g, opts.scale, { ...opts, reference: 'gt' }));
      return p;
    },
    samples.length,
    g,
    opts,
  );
  return {
    LPIPS_mean: div.lpipsMean,
    LRPSNR_worst: Math.min(...lr),
    LRPSNR_mean: lr.reduce((a, b) => a + b, 0) / lr.length,
    score: div.score,
    lpipsGlobal: div.lpipsGlobal,
    lrPsnr: lr,
    lpipsGlMin: div.lpipsGlMin,
    lpipsLoc: div.lpipsLoc,
  };
}
