import * as tf from '@tensorflow/tfjs-core';

const cache = new Map<string, Int32Array>();

/**
 * Row indices into a zero-padded `(h + 2p) × (w + 2p)` map for every `k × k` window tap at stride
 * `stride`: tap-major `[k·k, oh·ow]`. Host-computed and cached: one `tf.gather` then replaces k² strided
 * slices (slow generic kernels on WASM/CPU for rank > 2).
 */
function tapIndices(hp: number, wp: number, k: number, stride: number, oh: number, ow: number): Int32Array {
  const key = `${hp},${wp},${k},${stride},${oh},${ow}`;
  let idx = cache.get(key);
  if (idx) return idx;
  idx = new Int32Array(k * k * oh * ow);
  let o = 0;
  for (let ky = 0; ky < k; ky++)
    for (let kx = 0; kx < k; kx++)
      for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) idx[o++] = (y * stride + ky) * wp + (x * stride + kx);
  if (cache.size > 256) cache.clear();
  cache.set(key, idx);
  return idx;
}

/**
 * The `k × k` taps of every window of a single-image map `x` (`[1, h, w, C]`), zero-padded by `pad`,
 * at stride `stride`: returns `[k·k, oh·ow, C]` (tap `ky·k + kx`, windows row-major).
 */
export function windowTaps(x: tf.Tensor4D, k: number, stride: number, pad: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [, h, w, c] = x.shape;
    const hp = h + 2 * pad;
    const wp = w + 2 * pad;
    const oh = Math.floor((hp - k) / stride) + 1;
    const ow = Math.floor((wp - k) / stride) + 1;
    const flat = tf.reshape(pad ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x, [hp * wp, c]);
    const rows = tf.gather(flat, tf.tensor1d(tapIndices(hp, wp, k, stride, oh, ow), 'int32'));
    return tf.reshape(rows, [k * k, oh * ow, c]) as tf.Tensor3D;
  });
}

/**
 * `F.unfold(x, 3, padding=1)` reshaped back to the image grid, on NHWC: `[B, h, w, C]` →
 * `[B, h, w, 9C]` with PyTorch's channel order `c·9 + ky·3 + kx` (zero padding).
 */
export function unfold3x3(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const one = (xi: tf.Tensor4D) => tf.reshape(tf.transpose(windowTaps(xi, 3, 1, 1), [1, 2, 0]), [1, h, w, 9 * c]);
    if (b === 1) return one(x) as tf.Tensor4D;
    return tf.concat(tf.split(x, b, 0).map((xi) => one(xi as tf.Tensor4D)), 0) as tf.Tensor4D;
  });
}
