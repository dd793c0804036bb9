import * as tf from '@tensorflow/tfjs-core';

/**
 * The last stage of the cross-scale attention (see `CrossScaleAttention`): paste the attention-weighted
 * 6×6 value patches with a stride-2 transposed convolution (official `F.conv_transpose2d(yi, wi,
 * stride=2, padding=2)`), then `down` (3×3 conv, stride 2, zero padding 1). Two exact formulations:
 *
 * - {@link pasteByTransposedConv}: the official order. The transposed convolution costs 36·C
 *   multiply-adds per (query, key) pair — on WASM about 80 % of the whole attention.
 * - {@link pasteFolded}: both stages are linear, so `down ∘ paste` is one operator. Output pixel p reads
 *   queries q = p − d for d ∈ {−1, 0, 1, 2}² only (derivation below), through a per-key kernel
 *   `G[l, d, :] = Σ_taps down · patch_l` built once per window. The per-pair cost drops to 16·C, and the
 *   whole stage is one matMul `[Q, L] × [L, 16·C]` plus 16 shifted adds.
 *
 * Derivation (one axis). The transposed convolution puts tap t of query q's patch at row 2q + t − 2
 * (after its padding-2 crop); `down` output p reads rows 2p − 1 + k, k ∈ {0, 1, 2}. So query q reaches p
 * through tap t = 2(p − q) + 1 + k, which is a tap (0…5) only for d = p − q ∈ {−1, 0, 1, 2}; hence
 * `G[d] = Σ_k down[k] · patch[2d + 1 + k]`, i.e. `down` applied at stride 2 to the patch padded by 1
 * before and 2 after. The one exception is the map's first row (and column): there `down` reads its
 * zero padding at row −1, where the folded operator would read the paste's cropped row; those rows
 * are taken from the official formulation (a thin strip, so it costs little).
 */

/** Rows (or columns) of one attention window involved in producing output rows `[a, z)`. */
export interface PasteSpan {
  /** First output row of the region and one past its last. */
  a: number;
  z: number;
  /** Queries `[q0, q1)` whose patches reach those output rows. */
  q0: number;
  q1: number;
}

/** The {@link PasteSpan} of output rows `[a, z)` on an axis of `n` (even-padded) query positions. */
export function pasteSpan(a: number, z: number, n: number): PasteSpan {
  // `down` reads rows [2a − 1, 2z) of the pasted map; query q pastes rows [2q − 2, 2q + 4).
  const r0 = Math.max(0, 2 * a - 1);
  const q0 = Math.max(0, Math.ceil((r0 - 3) / 2));
  const q1 = Math.min(n, Math.floor((2 * z + 1) / 2) + 1);
  return { a, z, q0, q1 };
}

/** `down`'s weights `[3, 3, C, C]` and bias `[C]`. */
export interface DownConv {
  weight: tf.Tensor4D;
  bias?: tf.Tensor1D;
}

const S = 2; // stride of the paste and of `down`
const K = 6; // patch side (scale · ksize)

/**
 * The official order: `down(conv_transpose(scores, patches))` on output rows/columns `sy × sx`.
 * `scores` `[qh, qw, L]` for the queries of `sy × sx`; `taps` `[36, L, C]` (tap-major value patches).
 */
export function pasteByTransposedConv(scores: tf.Tensor3D, taps: tf.Tensor3D, sy: PasteSpan, sx: PasteSpan, down: DownConv): tf.Tensor4D {
  return tf.tidy(() => {
    const [qh, qw, L] = scores.shape;
    const c = taps.shape[2];
    // The transposed-convolution filter [6, 6, C, L] (tap-major gather, then transpose).
    const filter = tf.transpose(tf.reshape(taps, [K, K, L, c]), [0, 1, 3, 2]) as tf.Tensor4D;
    // full'[o] = full[o + S·q0] (the official conv_transpose2d output before its padding-S crop).
    const full = tf.conv2dTranspose(tf.reshape(scores, [1, qh, qw, L]) as tf.Tensor4D, filter, [1, (qh - 1) * S + K, (qw - 1) * S + K, c], S, 'valid');
    // recon[r] = full[r + S] (conv_transpose2d(padding=S) crops S rows/cols on each side); `down` reads
    // recon rows [2a − 1, 2z), of which row −1 is its zero padding.
    const ry0 = Math.max(0, 2 * sy.a - 1);
    const rx0 = Math.max(0, 2 * sx.a - 1);
    const recon = tf.slice(full, [0, ry0 + S - S * sy.q0, rx0 + S - S * sx.q0, 0], [1, 2 * sy.z - ry0, 2 * sx.z - rx0, c]);
    const padded = tf.pad(recon, [[0, 0], [sy.a === 0 ? 1 : 0, 0], [sx.a === 0 ? 1 : 0, 0], [0, 0]]);
    const y = tf.conv2d(padded, down.weight, S, 'valid') as tf.Tensor4D;
    return down.bias ? tf.add(y, down.bias) : y;
  });
}

/**
 * `down ∘ paste` folded into one operator (module comment); equals {@link pasteByTransposedConv} up to
 * float rounding order, for any region.
 */
export function pasteFolded(scores: tf.Tensor3D, taps: tf.Tensor3D, sy: PasteSpan, sx: PasteSpan, down: DownConv): tf.Tensor4D {
  return tf.tidy(() => {
    const [qh, qw, L] = scores.shape;
    const c = taps.shape[2];
    // G[l, dy, dx, :] for d ∈ {−1…2}²: `down` at stride 2 over each patch padded by 1 before, 2 after.
    const patches = tf.reshape(tf.transpose(tf.reshape(taps, [K * K, L, c]), [1, 0, 2]), [L, K, K, c]);
    const g = tf.conv2d(tf.pad(patches, [[0, 0], [1, 2], [1, 2], [0, 0]]) as tf.Tensor4D, down.weight, S, 'valid'); // [L, 4, 4, C]
    const r = tf.matMul(tf.reshape(scores, [qh * qw, L]), tf.reshape(g, [L, 16 * c])); // [Q, 16·C]
    // y[p] = Σ_d r[p − d, d]: one gather of the 16 shifted blocks (queries outside the window read an
    // appended zero row), summed by a [1, 16] matMul — slices of 3-D blocks are generic (slow) kernels
    // on WASM, and a 16-input addN exceeds WebGPU's 16 storage buffers per stage on some adapters.
    const ny = sy.z - sy.a;
    const nx = sx.z - sx.a;
    const rows = tf.concat([tf.reshape(r, [qh * qw * 16, c]), tf.zeros([1, c])]);
    const picked = tf.gather(rows, tf.tensor1d(shiftRows(sy, sx, qh, qw), 'int32')); // [16·ny·nx, C]
    const y = tf.reshape(tf.matMul(tf.ones([1, 16]), tf.reshape(picked, [16, ny * nx * c])), [1, ny, nx, c]) as tf.Tensor4D;
    return down.bias ? tf.add(y, down.bias) : y;
  });
}

const shiftCache = new Map<string, Int32Array>();

/**
 * Row of `r` (`[qh·qw·16, C]`, zero row appended) that offset d contributes to output pixel p: the
 * query p − d, block d; offset-major `[16, ny·nx]`. Host-computed and cached (tiles repeat shapes).
 */
function shiftRows(sy: PasteSpan, sx: PasteSpan, qh: number, qw: number): Int32Array {
  const key = `${sy.a},${sy.z},${sy.q0},${sx.a},${sx.z},${sx.q0},${qh},${qw}`;
  let idx = shiftCache.get(key);
  if (idx) return idx;
  const ny = sy.z - sy.a;
  const nx = sx.z - sx.a;
  const zero = qh * qw * 16;
  idx = new Int32Array(16 * ny * nx);
  let i = 0;
  for (let dy = -1; dy <= 2; dy++)
    for (let dx = -1; dx <= 2; dx++) {
      const o = 4 * (dy + 1) + (dx + 1);
      for (let py = 0; py < ny; py++) {
        const qy = sy.a + py - dy - sy.q0;
        for (let px = 0; px < nx; px++) {
          const qx = sx.a + px - dx - sx.q0;
          idx[i++] = qy >= 0 && qy < qh && qx >= 0 && qx < qw ? (qy * qw + qx) * 16 + o : zero;
        }
      }
    }
  if (shiftCache.size > 64) shiftCache.clear();
  shiftCache.set(key, idx);
  return idx;
}

/**
 * {@link pasteFolded}, with the first row and column of the map (where `down` reads its zero padding)
 * from {@link pasteByTransposedConv}. `scores` covers the queries of `sy × sx`.
 */
export function pasteDown(scores: tf.Tensor3D, taps: tf.Tensor3D, sy: PasteSpan, sx: PasteSpan, down: DownConv, n: { h: number; w: number }): tf.Tensor4D {
  return tf.tidy(() => {
    let y = pasteFolded(scores, taps, sy, sx, down);
    const [qh, qw] = scores.shape;
    const L = scores.shape[2];
    // A strip's queries are the first rows (columns) of `scores`: the region starts at the map's edge, so q0 = 0.
    if (sy.a === 0) {
      const ty = pasteSpan(0, 1, n.h);
      const row = pasteByTransposedConv(tf.slice(scores, [0, 0, 0], [ty.q1, qw, L]), taps, ty, sx, down);
      y = sy.z > 1 ? tf.concat([row, tf.slice(y, [0, 1, 0, 0], [-1, -1, -1, -1])], 1) : row;
    }
    if (sx.a === 0) {
      const tx = pasteSpan(0, 1, n.w);
      const col = pasteByTransposedConv(tf.slice(scores, [0, 0, 0], [qh, tx.q1, L]), taps, sy, tx, down);
      y = sx.z > 1 ? tf.concat([col, tf.slice(y, [0, 0, 1, 0], [-1, -1, -1, -1])], 2) : col;
    }
    return y;
  });
}
