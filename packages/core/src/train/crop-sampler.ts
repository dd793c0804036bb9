import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { cellSize, makeCoordData } from '../ops/coord.js';
import { roundHalfEven } from '../ops/round.js';
import { imresizeArray, type PlainImage } from '../image/imresize-array.js';
import type { ImageArray } from '../image/image-array.js';
import type { Rng } from './rng.js';

/** An RGB training image: HWC float32 in [0, 1]. */
export interface TrainImage {
  data: Float32Array;
  height: number;
  width: number;
}

/** Converts a decoded image (gray, gray+alpha, RGB, RGBA; 8/16-bit) to a {@link TrainImage} (alpha dropped, gray repeated). */
export function toTrainImage(img: ImageArray): TrainImage {
  const { width: w, height: h, channels: c, data } = img;
  const max = img.bitDepth === 16 ? 65535 : 255;
  const out = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++)
    for (let k = 0; k < 3; k++) out[3 * p + k] = data[p * c + (c >= 3 ? k : 0)] / max;
  return { data: out, height: h, width: w };
}

/** Resizes an RGB float image to an exact size (the LR of a training crop). */
export type ResizeFn = (img: TrainImage, size: { height: number; width: number }) => TrainImage;

/**
 * Default LR maker: MATLAB-style bicubic with antialiasing ({@link imresizeArray}), clipped to [0, 1].
 * LIIF's loader uses PIL's bicubic through torchvision on uint8 images instead (`resize_fn`); both are
 * antialiased bicubic downsamplers, PIL's differs by the uint8 rounding and its kernel support.
 */
export const bicubicResize: ResizeFn = (img, size) => {
  const plain: PlainImage = { data: img.data, height: img.height, width: img.width, channels: 3 };
  const r = imresizeArray(plain, size);
  const data = new Float32Array(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, r.data[i]));
  return { data, height: r.height, width: r.width };
};

/** Options of {@link sampleImplicitBatch}; defaults are the LIIF/LTE/CiaoSR training protocol. */
export interface ImplicitBatchOptions {
  /** Samples per batch (LIIF: 16). */
  batchSize?: number;
  /** LR crop size (48). */
  inpSize?: number;
  /** Scale range, `s ~ U(scaleMin, scaleMax)` (1, 4). */
  scaleMin?: number;
  scaleMax?: number;
  /**
   * Probability of drawing an integer scale (uniform over the integers in [max(2, ⌈scaleMin⌉),
   * ⌊scaleMax⌋]) instead of `U(scaleMin, scaleMax)` (default 0: the official protocol). At an odd
   * integer scale every third HR pixel centre lies on an LR pixel centre, so the decoders' ±½-pixel
   * neighbour shifts land exactly on pixel borders and the ε of the official code picks the
   * neighbours — a configuration a continuous scale almost never produces. 0 draws no extra random
   * number, so existing data streams are unchanged.
   */
  integerScaleProb?: number;
  /** Query pixels sampled per crop without replacement (2304 = 48²). */
  sampleQ?: number;
  /** Random row flip, column flip and transpose, each with p = 0.5 (true). */
  augment?: boolean;
  /** LR maker (default {@link bicubicResize}). */
  resize?: ResizeFn;
}

/** One training batch. `inp` and `gt` are in [0, 1]; the train step normalises them. */
export interface ImplicitBatch {
  /** LR crops `[B, inp, inp, 3]`. */
  inp: tf.Tensor4D;
  /** Query coordinates `[B, Q, 2]` ((y, x) pixel centres of the HR crop). */
  coord: tf.Tensor3D;
  /** Cells `[B, Q, 2]` = `(2/H_hr, 2/W_hr)`. */
  cell: tf.Tensor3D;
  /** Ground-truth RGB at the queries `[B, Q, 3]`. */
  gt: tf.Tensor3D;
  /** The scale drawn for each sample. */
  scales: number[];
}

/** Disposes the tensors of a batch. */
export function disposeBatch(b: ImplicitBatch): void {
  tf.dispose([b.inp, b.coord, b.cell, b.gt]);
}

function crop(img: TrainImage, y0: number, x0: number, size: number): TrainImage {
  const data = new Float32Array(size * size * 3);
  for (let i = 0; i < size; i++) data.set(img.data.subarray(((y0 + i) * img.width + x0) * 3, ((y0 + i) * img.width + x0 + size) * 3), i * size * 3);
  return { data, height: size, width: size };
}

/** Row flip, column flip, then transpose (LIIF `augment`: `flip(-2)`, `flip(-1)`, `transpose(-2, -1)` on CHW). */
function augmentImage(img: TrainImage, flipRows: boolean, flipCols: boolean, transpose: boolean): TrainImage {
  if (!flipRows && !flipCols && !transpose) return img;
  const { height: h, width: w } = img;
  const oh = transpose ? w : h;
  const ow = transpose ? h : w;
  const data = new Float32Array(img.data.length);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++) {
      let y = transpose ? j : i;
      let x = transpose ? i : j;
      if (flipRows) y = h - 1 - y;
      if (flipCols) x = w - 1 - x;
      const s = (y * w + x) * 3;
      const d = (i * ow + j) * 3;
      data[d] = img.data[s];
      data[d + 1] = img.data[s + 1];
      data[d + 2] = img.data[s + 2];
    }
  return { data, height: oh, width: ow };
}

/**
 * Draws a batch with LIIF's `SRImplicitDownsampled` protocol (Chen et al., CVPR 2021, §4.1; also LTE and
 * CiaoSR): per sample pick an image, `s ~ U(1, 4)`, crop an HR square of `round(48·s)` (Python rounding)
 * at a random position, bicubic-downsample it to the 48×48 LR input, apply the same random flips and
 * transpose to both, and sample 2304 HR pixels without replacement with their coordinates and the cell
 * `2/round(48·s)`. All randomness comes from `rng`, so batches are reproducible from a seed.
 */
export function sampleImplicitBatch(images: TrainImage[], rng: Rng, opts: ImplicitBatchOptions = {}): ImplicitBatch {
  const b = opts.batchSize ?? 16;
  const inpSize = opts.inpSize ?? 48;
  const sMin = opts.scaleMin ?? 1;
  const sMax = opts.scaleMax ?? 4;
  const pInt = opts.integerScaleProb ?? 0;
  const iMin = Math.max(2, Math.ceil(sMin));
  const iMax = Math.floor(sMax);
  if (!(pInt >= 0 && pInt <= 1)) throw new InputError(`integerScaleProb must be in [0, 1], got ${pInt}`);
  if (pInt > 0 && iMin > iMax) throw new InputError(`integerScaleProb: no integer scale ≥ 2 in [${sMin}, ${sMax}]`);
  const q = opts.sampleQ ?? inpSize * inpSize;
  const augment = opts.augment ?? true;
  const resize = opts.resize ?? bicubicResize;
  if (!images.length) throw new InputError('sampleImplicitBatch: no training images');
  const inp = new Float32Array(b * inpSize * inpSize * 3);
  const coord = new Float32Array(b * q * 2);
  const cell = new Float32Array(b * q * 2);
  const gt = new Float32Array(b * q * 3);
  const scales: number[] = [];
  for (let n = 0; n < b; n++) {
    const img = images[rng.randint(0, images.length - 1)];
    const s = pInt > 0 && rng.next() < pInt ? rng.randint(iMin, iMax) : rng.uniform(sMin, sMax);
    const wHr = roundHalfEven(inpSize * s);
    if (img.height < wHr || img.width < wHr)
      throw new InputError(`training image ${img.width}×${img.height} is smaller than the ${wHr}×${wHr} HR crop of scale ${s.toFixed(2)}`);
    if (wHr * wHr < q) throw new InputError(`sampleQ ${q} exceeds the ${wHr}×${wHr} HR crop`);
    const hr0 = crop(img, rng.randint(0, img.height - wHr), rng.randint(0, img.width - wHr), wHr);
    const lr0 = resize(hr0, { height: inpSize, width: inpSize });
    const [fr, fc, tr] = augment ? [rng.next() < 0.5, rng.next() < 0.5, rng.next() < 0.5] : [false, false, false];
    const hr = augmentImage(hr0, fr, fc, tr);
    const lr = augmentImage(lr0, fr, fc, tr);
    inp.set(lr.data, n * inpSize * inpSize * 3);
    const grid = makeCoordData([wHr, wHr]);
    const [cy, cx] = cellSize(wHr, wHr);
    const pick = rng.choice(wHr * wHr, q);
    for (let i = 0; i < q; i++) {
      const p = pick[i];
      const o = n * q + i;
      coord[2 * o] = grid[2 * p];
      coord[2 * o + 1] = grid[2 * p + 1];
      cell[2 * o] = cy;
      cell[2 * o + 1] = cx;
      gt[3 * o] = hr.data[3 * p];
      gt[3 * o + 1] = hr.data[3 * p + 1];
      gt[3 * o + 2] = hr.data[3 * p + 2];
    }
    scales.push(s);
  }
  return {
    inp: tf.tensor4d(inp, [b, inpSize, inpSize, 3]),
    coord: tf.tensor3d(coord, [b, q, 2]),
    cell: tf.tensor3d(cell, [b, q, 2]),
    gt: tf.tensor3d(gt, [b, q, 3]),
    scales,
  };
}
