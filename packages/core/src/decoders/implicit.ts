import * as tf from '@tensorflow/tfjs-core';
import { InputError, throwIfAborted } from '../errors/index.js';
import { cellSize, coordAxis } from '../ops/coord.js';

/**
 * A local implicit image function (LIIF, LTE, …): an encoder run once per LR image, then an RGB query
 * at arbitrary continuous coordinates. `F` is whatever the encoder produces (a feature map, or several
 * maps as in LTE).
 */
export interface ImplicitDecoder<F> {
  /** Encodes a normalised LR image `[B, h, w, 3]` (NHWC) once. The caller disposes the result with {@link ImplicitDecoder.disposeFeat}. */
  genFeat(inp: tf.Tensor4D): F;
  /**
   * RGB (normalised space) at `coord` `[B, Q, 2]` ((y, x) in `[-1, 1]`) for output pixels of size
   * `cell` `[B, Q, 2]` → `[B, Q, 3]`. Queries are independent, so any split of `Q` gives the same values.
   */
  queryRgb(feat: F, coord: tf.Tensor3D, cell?: tf.Tensor3D): tf.Tensor3D;
  /** Releases what {@link ImplicitDecoder.genFeat} returned. */
  disposeFeat(feat: F): void;
}

/** Progress of a chunked decode: `done` of `total` queries. */
export interface QueryDecodeProgress {
  stage: 'decode';
  done: number;
  total: number;
}

/** Options of {@link decodeChunked}. */
export interface QueryDecodeOptions {
  /** Queries per chunk (default 30000, the official `eval_bsize`); bounds the decoder's memory. */
  chunkSize?: number;
  /** Multiply the cell by this factor (LTE's extrapolation clip, `max(s/4, 1)`); default 1. */
  cellScale?: number;
  /** Aborts between chunks with an `AbortError`; tensors of finished chunks are released. */
  signal?: AbortSignal;
  /** Called after each decoded chunk with the number of queries done so far, e.g. to drive a progress bar. */
  onProgress?: (p: QueryDecodeProgress) => void;
}

/** An output grid to decode: every pixel centre of an `height × width` image. */
export interface DecodeSize {
  height: number;
  width: number;
}

/** Explicit queries: coordinates `[B, Q, 2]` and optionally their cells `[B, Q, 2]`. */
export interface DecodeQueries {
  coord: tf.Tensor3D;
  cell?: tf.Tensor3D;
}

function isSize(t: DecodeSize | DecodeQueries): t is DecodeSize {
  return typeof (t as DecodeSize).height === 'number';
}

/** Coordinates of grid queries `[start, end)` (row-major) of an `h × w` grid for `b` images, `(y, x)`. */
function gridChunk(ys: Float32Array, xs: Float32Array, start: number, end: number, b: number): Float32Array {
  const n = end - start;
  const out = new Float32Array(b * n * 2);
  const w = xs.length;
  for (let i = 0; i < n; i++) {
    const p = start + i;
    out[2 * i] = ys[Math.floor(p / w)];
    out[2 * i + 1] = xs[p % w];
  }
  for (let bi = 1; bi < b; bi++) out.copyWithin(bi * n * 2, 0, n * 2);
  return out;
}

/**
 * Decodes many queries in chunks so memory stays bounded whatever the output size (LIIF's
 * `batched_predict`; liif issues #33/#44 are OOMs from decoding all queries at once). For a
 * {@link DecodeSize} the coordinates and cells of each chunk are generated on the fly (never the whole
 * `H·W` grid) and the result is the image `[B, H, W, 3]`; for {@link DecodeQueries} it is `[B, Q, 3]`.
 * Chunked and one-shot decoding give the same values: queries are independent.
 */
export function decodeChunked<F>(
  model: Pick<ImplicitDecoder<F>, 'queryRgb'>,
  feat: F,
  batch: number,
  target: DecodeSize | DecodeQueries,
  opts: QueryDecodeOptions = {},
): tf.Tensor {
  const chunk = Math.floor(opts.chunkSize ?? 30000);
  if (!(chunk >= 1)) throw new InputError(`chunkSize must be ≥ 1, got ${opts.chunkSize}`);
  const scale = opts.cellScale ?? 1;
  const parts: tf.Tensor3D[] = [];
  try {
    if (isSize(target)) {
      const { height: hh, width: ww } = target;
      if (!(Number.isInteger(hh) && Number.isInteger(ww) && hh > 0 && ww > 0))
        throw new InputError(`output size must be positive integers, got ${hh}×${ww}`);
      const ys = coordAxis(hh);
      const xs = coordAxis(ww);
      const [cy, cx] = cellSize(hh, ww);
      const total = hh * ww;
      for (let s = 0; s < total; s += chunk) {
        throwIfAborted(opts.signal);
        const e = Math.min(total, s + chunk);
        parts.push(
          tf.tidy(() => {
            const coord = tf.tensor3d(gridChunk(ys, xs, s, e, batch), [batch, e - s, 2]);
            const cell = tf.mul(tf.onesLike(coord), tf.tensor1d([cy, cx]));
            return model.queryRgb(feat, coord, (scale === 1 ? cell : tf.mul(cell, scale)) as tf.Tensor3D);
          }),
        );
        opts.onProgress?.({ stage: 'decode', done: e, total });
      }
      return tf.tidy(() => tf.reshape(parts.length === 1 ? parts[0] : tf.concat(parts, 1), [batch, hh, ww, -1]));
    }
    const { coord, cell } = target;
    if (coord.rank !== 3 || coord.shape[2] !== 2) throw new InputError(`coord must be [B, Q, 2], got [${coord.shape}]`);
    const total = coord.shape[1];
    for (let s = 0; s < total; s += chunk) {
      throwIfAborted(opts.signal);
      const e = Math.min(total, s + chunk);
      parts.push(
        tf.tidy(() => {
          const c = tf.slice(coord, [0, s, 0], [-1, e - s, -1]);
          let k: tf.Tensor3D | undefined = cell ? tf.slice(cell, [0, s, 0], [-1, e - s, -1]) : undefined;
          if (k && scale !== 1) k = tf.mul(k, scale) as tf.Tensor3D;
          return model.queryRgb(feat, c, k as tf.Tensor3D | undefined);
        }),
      );
      opts.onProgress?.({ stage: 'decode', done: e, total });
    }
    return parts.length === 1 ? (parts.splice(0)[0] as tf.Tensor3D) : tf.concat(parts, 1);
  } finally {
    tf.dispose(parts);
  }
}
