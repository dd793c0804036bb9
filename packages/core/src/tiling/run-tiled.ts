import * as tf from '@tensorflow/tfjs-core';
import { InputError, throwIfAborted } from '../errors/index.js';
import { yieldToEventLoop } from '../limits/memory-plan.js';
import { planTiles, type Tile } from './plan.js';

/** Options of {@link runTiled}. */
export interface RunTiledOptions {
  /** Core tile size in input pixels. */
  tile: number;
  /** Context around each core, in input pixels (≥ the operator's receptive-field radius for exactness). */
  overlap: number;
  /** Integer output/input size ratio of the operator (1 for feature extractors). */
  scale?: number;
  /**
   * `'crop'` (default): every output pixel comes from the one tile whose core holds it (exact for local
   * operators). `'blend'`: tiles also write their overlap and are feathered linearly, hiding seams of
   * operators that are not exactly local.
   */
  mode?: 'crop' | 'blend';
  /**
   * Aborts before the next tile with an `AbortError`. The loop yields to the event loop between tiles,
   * so a signal fired from a timer or an I/O callback takes effect within one tile.
   */
  signal?: AbortSignal;
  /** Called after each tile is written into the output: `done` of `total` tiles. */
  onProgress?: (done: number, total: number) => void;
}

function ramp(n: number, lead: number, trail: number): Float32Array {
  // Weight 1 inside, rising linearly across the leading/trailing overlap.
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 1;
    if (i < lead) v = Math.min(v, (i + 1) / (lead + 1));
    if (n - 1 - i < trail) v = Math.min(v, (n - i) / (trail + 1));
    w[i] = v;
  }
  return w;
}

/**
 * Runs `fn` on overlapping tiles of an NHWC batch `[B, h, w, C]` and assembles the result
 * `[B, h·scale, w·scale, C']` on the host, so device memory is bounded by one tile. `fn` must return
 * `[B, ph·scale, pw·scale, C']` for a patch `[B, ph, pw, C]`; it may be async (GPU reads).
 */
export async function runTiled(
  image: tf.Tensor4D,
  fn: (patch: tf.Tensor4D, tile: Tile) => tf.Tensor4D | Promise<tf.Tensor4D>,
  opts: RunTiledOptions,
): Promise<tf.Tensor4D> {
  const [b, h, w] = image.shape;
  const s = opts.scale ?? 1;
  if (!Number.isInteger(s) || s < 1) throw new InputError(`runTiled: scale must be a positive integer, got ${s}`);
  const tiles = planTiles(h, w, { tile: opts.tile, overlap: opts.overlap });
  const H = h * s;
  const W = w * s;
  let canvas: Float32Array | null = null;
  let weights: Float32Array | null = null;
  let ch = 0;
  for (const t of tiles) {
    if (t.index > 0) await yieldToEventLoop();
    throwIfAborted(opts.signal);
    const { patch, core } = t;
    const ph = patch.y1 - patch.y0;
    const pw = patch.x1 - patch.x0;
    const input = tf.slice(image, [0, patch.y0, patch.x0, 0], [b, ph, pw, image.shape[3]]);
    let out: tf.Tensor4D;
    try {
      out = await fn(input, t);
    } finally {
      input.dispose();
    }
    const [ob, oh, ow, oc] = out.shape;
    if (ob !== b || oh !== ph * s || ow !== pw * s) {
      out.dispose();
      throw new InputError(`runTiled: the tile function returned [${[ob, oh, ow, oc]}] for a [${[b, ph, pw]}] patch at scale ${s}`);
    }
    const data = (await out.data()) as Float32Array;
    out.dispose();
    if (!canvas) {
      ch = oc;
      canvas = new Float32Array(b * H * W * ch);
      if (opts.mode === 'blend') weights = new Float32Array(H * W);
    }
    const blend = opts.mode === 'blend';
    const src = blend ? patch : core;
    const wy = blend ? ramp(oh, (core.y0 - patch.y0) * s, (patch.y1 - core.y1) * s) : null;
    const wx = blend ? ramp(ow, (core.x0 - patch.x0) * s, (patch.x1 - core.x1) * s) : null;
    for (let n = 0; n < b; n++)
      for (let y = src.y0 * s; y < src.y1 * s; y++) {
        const ly = y - patch.y0 * s;
        for (let x = src.x0 * s; x < src.x1 * s; x++) {
          const lx = x - patch.x0 * s;
          const o = ((n * H + y) * W + x) * ch;
          const i = ((n * oh + ly) * ow + lx) * ch;
          const k = wy && wx ? wy[ly] * wx[lx] : 1;
          for (let c = 0; c < ch; c++) canvas[o + c] += k * data[i + c];
          if (weights && n === 0) weights[y * W + x] += k;
        }
      }
    opts.onProgress?.(t.index + 1, tiles.length);
  }
  if (weights && canvas)
    for (let p = 0; p < b * H * W; p++) {
      const k = weights[p % (H * W)];
      for (let c = 0; c < ch; c++) canvas[p * ch + c] /= k;
    }
  return tf.tensor4d(canvas!, [b, H, W, ch]);
}
