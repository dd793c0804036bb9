/**
 * MATLAB-exact bicubic `imresize` on plain arrays (no tfjs): float64 arithmetic, HWC interleaved.
 * Usable by metrics (LR-PSNR) and anywhere tfjs is not wanted.
 * @module
 */
import { InputError } from '../errors/index.js';
import { roundHalfEven } from '../ops/round.js';
import { passOrder, resizeWeights, resolveResize, type ResizeWeights } from './resize-weights.js';

/** Numeric array types accepted as pixel data. */
export type PixelArray = Float64Array | Float32Array | Int32Array | Int16Array | Uint32Array | Uint8Array | Uint8ClampedArray | Uint16Array | number[];

/** An image as a flat HWC array (values in any range). */
export interface PlainImage<T extends PixelArray = PixelArray> {
  data: T;
  height: number;
  width: number;
  channels: number;
}

/** Options of {@link imresizeArray}. */
export interface ImresizeArrayOptions {
  /** Stretch the kernel when downscaling (MATLAB default, BasicSR `antialiasing=True`). Default true. */
  antialias?: boolean;
  /**
   * Round half-to-even and clip to [0, `roundMax`] after EACH 1-D pass, as fatheral's matlab_imresize port
   * does on uint8 input (the NTIRE 2021 scorer's LR-PSNR). Real MATLAB/BasicSR round once at the end
   * (caller's job). Default false.
   */
  roundEachPass?: boolean;
  /** Upper clip bound for `roundEachPass` (255 for uint8 data). Default 255. */
  roundMax?: number;
}

function checkImage(img: PlainImage): void {
  const { data, height, width, channels } = img;
  if (!(height > 0 && width > 0 && channels > 0)) throw new InputError(`imresize: empty image (${height}×${width}×${channels})`);
  if (data.length !== height * width * channels)
    throw new InputError(`imresize: data length ${data.length} does not match ${height}×${width}×${channels}`);
}

/** One pass along H: out[o, x, c] = Σ_k w[o,k] · in[idx[o,k], x, c]. */
function passH(src: ArrayLike<number>, rowLen: number, rw: ResizeWeights): Float64Array {
  const out = new Float64Array(rw.outLength * rowLen);
  const { taps, weights, indices } = rw;
  for (let o = 0; o < rw.outLength; o++) {
    const dst = o * rowLen;
    for (let k = 0; k < taps; k++) {
      const wk = weights[o * taps + k]!;
      const s = indices[o * taps + k]! * rowLen;
      for (let i = 0; i < rowLen; i++) out[dst + i] += wk * (src[s + i] as number);
    }
  }
  return out;
}

/** One pass along W: out[y, o, c] = Σ_k w[o,k] · in[y, idx[o,k], c]. */
function passW(src: ArrayLike<number>, h: number, w: number, c: number, rw: ResizeWeights): Float64Array {
  const ow = rw.outLength;
  const out = new Float64Array(h * ow * c);
  const { taps, weights, indices } = rw;
  for (let y = 0; y < h; y++) {
    const rowIn = y * w * c;
    const rowOut = y * ow * c;
    for (let o = 0; o < ow; o++) {
      const dst = rowOut + o * c;
      for (let k = 0; k < taps; k++) {
        const wk = weights[o * taps + k]!;
        const s = rowIn + indices[o * taps + k]! * c;
        for (let ch = 0; ch < c; ch++) out[dst + ch] += wk * (src[s + ch] as number);
      }
    }
  }
  return out;
}

function quantize(a: Float64Array, max: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    a[i] = roundHalfEven(v < 0 ? 0 : v > max ? max : v);
  }
}

/**
 * MATLAB `imresize(img, scale)` bicubic (a = −0.5), antialiased when downscaling, symmetric padding,
 * arbitrary scale or output size; passes in MATLAB's order (increasing scale, height first on ties —
 * the order of BasicSR's port for a scalar scale). Float64 throughout; returns float64 values, unrounded
 * unless `roundEachPass`.
 */
export function imresizeArray(
  img: PlainImage,
  scaleOrSize: number | { height: number; width: number },
  opts: ImresizeArrayOptions = {},
): PlainImage<Float64Array> {
  checkImage(img);
  const { antialias = true, roundEachPass = false, roundMax = 255 } = opts;
  const { height: h, width: w, channels: c } = img;
  const r = resolveResize(h, w, scaleOrSize);
  let cur: ArrayLike<number> = img.data;
  let ch = h;
  let cw = w;
  for (const axis of passOrder(r)) {
    let out: Float64Array;
    if (axis === 'h') {
      out = passH(cur, cw * c, resizeWeights(h, r.outHeight, r.scaleH, antialias));
      ch = r.outHeight;
    } else {
      out = passW(cur, ch, cw, c, resizeWeights(w, r.outWidth, r.scaleW, antialias));
      cw = r.outWidth;
    }
    if (roundEachPass) quantize(out, roundMax);
    cur = out;
  }
  const data = cur instanceof Float64Array && cur !== (img.data as unknown) ? cur : Float64Array.from(cur);
  return { data, height: ch, width: cw, channels: c };
}

/**
 * The NTIRE 2021 scorer's resize (fatheral/matlab_imresize on uint8 input): rounds and clips to uint8
 * after each 1-D pass, rows first on equal scales. Returns uint8 data.
 */
export function imresizeUint8Passes(img: PlainImage, scaleOrSize: number | { height: number; width: number }): PlainImage<Uint8Array> {
  const r = imresizeArray(img, scaleOrSize, { roundEachPass: true, roundMax: 255 });
  return { ...r, data: Uint8Array.from(r.data) };
}
