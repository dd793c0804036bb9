/**
 * MATLAB-exact bicubic `imresize` for tfjs tensors (NHWC float), the resize SR benchmarks use to make
 * LR images (BasicSR `matlab_functions.imresize`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { passOrder, resizeWeights, resolveResize, type ResizeWeights } from './resize-weights.js';

/** Options of {@link imresize}. */
export interface ImresizeOptions {
  /** Stretch the kernel when downscaling (MATLAB default). Default true. */
  antialias?: boolean;
  /** Only MATLAB's bicubic is implemented. */
  kernel?: 'cubic';
  /**
   * Quantise to `round(clip(x, 0, range))` (half to even) after each 1-D pass, like the NTIRE 2021 scorer's
   * uint8 imresize (fatheral port). Default false (MATLAB/BasicSR: no rounding inside imresize).
   */
  roundEachPass?: boolean;
  /** Value of white for `roundEachPass`: 1 for [0,1] tensors (quantised to k/255), 255 for [0,255]. Default 1. */
  range?: 1 | 255;
  /**
   * 'dense' = one matMul per pass with the `[out, in]` resampling matrix; 'gather' = one gather per tap
   * (memory ∝ output); 'auto' (default) = dense unless the matrix exceeds 2^24 entries.
   */
  method?: 'auto' | 'dense' | 'gather';
}

/** Dense `[outLength, inLength]` resampling matrix (mirrored taps folded back onto their source sample). */
export function resizeMatrix(rw: ResizeWeights): Float32Array {
  const m = new Float64Array(rw.outLength * rw.inLength);
  for (let o = 0; o < rw.outLength; o++)
    for (let k = 0; k < rw.taps; k++) m[o * rw.inLength + rw.indices[o * rw.taps + k]!] += rw.weights[o * rw.taps + k]!;
  return Float32Array.from(m);
}

/** Above this many matrix entries a pass switches from one dense matMul to one gather per tap. */
const DENSE_LIMIT = 1 << 24;

/**
 * Resamples along `axis` (1 = H, 2 = W). Small/medium sizes: one matMul with the dense resampling
 * matrix (the fastest on every backend: the CPU backend's gather is ~30× slower per element).
 * Very long axes: for each tap k, `out += w[:, k] · gather(x, idx[:, k], axis)`, which keeps memory at
 * the output size.
 */
function pass(x: tf.Tensor4D, rw: ResizeWeights, axis: 1 | 2, method: 'auto' | 'dense' | 'gather'): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const { taps, outLength, inLength } = rw;
  if (method === 'dense' || (method === 'auto' && outLength * inLength <= DENSE_LIMIT))
    return tf.tidy(() => {
      const m = tf.tensor2d(resizeMatrix(rw), [outLength, inLength]);
      // Bring the resized axis to the front, flatten the rest, multiply, restore.
      const perm = axis === 1 ? [1, 0, 2, 3] : [2, 0, 1, 3];
      const moved = n === 1 && axis === 1 ? tf.reshape(x, [h, w * c]) : tf.reshape(tf.transpose(x, perm), [inLength, -1]);
      const y = tf.matMul(m, moved);
      if (axis === 1) return n === 1 ? tf.reshape(y, [1, outLength, w, c]) : tf.transpose(tf.reshape(y, [outLength, n, w, c]), [1, 0, 2, 3]);
      return tf.transpose(tf.reshape(y, [outLength, n, h, c]), [1, 2, 0, 3]);
    });
  const wShape: [number, number, number, number] = axis === 1 ? [1, outLength, 1, 1] : [1, 1, outLength, 1];
  let acc: tf.Tensor4D | null = null;
  for (let k = 0; k < taps; k++) {
    const idx = new Int32Array(outLength);
    const wk = new Float32Array(outLength);
    for (let o = 0; o < outLength; o++) {
      idx[o] = rw.indices[o * taps + k]!;
      wk[o] = rw.weights[o * taps + k]!;
    }
    const term = tf.tidy(() => tf.mul(tf.gather(x, tf.tensor1d(idx, 'int32'), axis), tf.tensor4d(wk, wShape)) as tf.Tensor4D);
    if (acc === null) acc = term;
    else {
      const next: tf.Tensor4D = tf.add(acc, term);
      acc.dispose();
      term.dispose();
      acc = next;
    }
  }
  return acc!;
}

function quantise(x: tf.Tensor4D, range: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (range === 255) return tf.round(tf.clipByValue(x, 0, 255));
    return tf.div(tf.round(tf.clipByValue(tf.mul(x, 255), 0, 255)), 255);
  });
}

/**
 * MATLAB `imresize(x, scale, 'bicubic')`: cubic kernel a = −0.5, antialiased when downscaling,
 * 'symmetric' border padding, arbitrary (non-integer) scale or an explicit output size; output size
 * `ceil(scale·in)`. Passes run along H then W (MATLAB orders them by increasing scale, so W first only
 * when W shrinks more). Float32 on the tensor's backend; matches BasicSR's float32 port to ~1e-6.
 * @param x NHWC float tensor (any value range; no clipping or rounding unless `roundEachPass`).
 */
export function imresize(
  x: tf.Tensor4D,
  scaleOrSize: number | { height: number; width: number },
  opts: ImresizeOptions = {},
): tf.Tensor4D {
  const { antialias = true, kernel = 'cubic', roundEachPass = false, range = 1, method = 'auto' } = opts;
  if (kernel !== 'cubic') throw new InputError(`imresize: unsupported kernel '${kernel as string}' (only 'cubic')`);
  if (x.rank !== 4) throw new InputError(`imresize: expected an NHWC tensor of rank 4, got shape [${x.shape}]`);
  const [, h, w] = x.shape;
  if (!(h > 0 && w > 0)) throw new InputError(`imresize: empty image (shape [${x.shape}])`);
  if (x.dtype !== 'float32') throw new InputError(`imresize: expected a float32 tensor, got ${x.dtype}`);
  const r = resolveResize(h, w, scaleOrSize);
  let cur: tf.Tensor4D = x;
  for (const axis of passOrder(r)) {
    const rw = axis === 'h' ? resizeWeights(h, r.outHeight, r.scaleH, antialias) : resizeWeights(w, r.outWidth, r.scaleW, antialias);
    let next = pass(cur, rw, axis === 'h' ? 1 : 2, method);
    if (roundEachPass) {
      const q = quantise(next, range);
      next.dispose();
      next = q;
    }
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}
