import * as tf from '@tensorflow/tfjs-core';
import { InputError, backendMemoryLimits, fitTile, fmtBytes, planTiles, runTiled, throwIfAborted, yieldToEventLoop, type Rect } from '@sr/core';
import { containingIndex, fillQueries } from './geometry.js';
import { disposeMaps, keepMaps, type FeatureMaps } from './head.js';
import { ENCODER_TILE, SHARED_FEATURES_MAX_BYTES, ciaosrTileItems } from './memory-plan.js';
import type { CiaoSR } from './model.js';

/** Progress of one upscale: `stage` `'decode'` counts HR pixels, `'encode'` counts tiles. */
export interface UpscaleProgress {
  stage: 'encode' | 'decode';
  done: number;
  total: number;
  /** Tile being processed (0-based) and tile count. */
  tile: number;
  tiles: number;
}

/** Tiling and chunking options (all in LR pixels / queries). */
export interface TiledInferenceOptions {
  /**
   * LR tile size (square core). Default 64. `Infinity` runs the whole image at once, exactly like the
   * official full-image test. Images not larger than the tile are always run whole.
   */
  tile?: number;
  /**
   * Non-local attention context around each tile core, in LR pixels (≥ 2; default 16): the attention
   * of a tile searches the window `core ± margin`, as the official `clip_test` (tile 192, overlap 32)
   * and the paper's "small window" do. The encoder additionally gets its receptive field as context,
   * so features are exactly those of the whole image.
   */
  attentionMargin?: number;
  /**
   * Encode the whole image once and cut each tile's attention window from the result (default: when
   * the feature map takes at most 256 MiB), instead of encoding every window's patch: same output,
   * ~4× less backbone work; `false` bounds memory by the tile alone.
   */
  shareFeatures?: boolean;
  /** HR queries decoded per step (default {@link defaultChunkSize}): bounds the decoder's memory. */
  chunkSize?: number;
  /**
   * Aborts before the next tile or decode chunk with an `AbortError`; the tile's tensors are released.
   * The loop yields to the event loop between chunks, so a signal fired from a timer takes effect too.
   */
  signal?: AbortSignal;
  /**
   * Called when the memory plan changes a request, e.g. a tile or chunk too large for the backend's
   * memory (4 GiB WASM heap, WebGPU buffer limits) is reduced. Default: `console.warn`.
   */
  onWarning?: (message: string) => void;
  /**
   * Called before each tile is encoded (stage `'encode'`, counting tiles) and after each decoded chunk
   * (stage `'decode'`, counting HR pixels of the whole image).
   */
  onProgress?: (p: UpscaleProgress) => void;
}

/** Queries per LR pixel from which the decoder's logit tables pay for themselves (see `PrepareOptions`). */
const LOGIT_TABLE_RATIO = 3;

const grow = (r: Rect, m: number, h: number, w: number): Rect => ({
  y0: Math.max(0, r.y0 - m),
  x0: Math.max(0, r.x0 - m),
  y1: Math.min(h, r.y1 + m),
  x1: Math.min(w, r.x1 + m),
});

/** HR indices whose containing LR pixel lies in `[a, b)`: a contiguous range for each tile. */
function hrRange(contain: Int32Array, a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < contain.length; i++) if (contain[i] >= a && contain[i] < b) out.push(i);
  return out;
}

/**
 * Default HR queries per decode step on the active backend: 512 on the CPU backends (WASM, cpu) —
 * the decoder's `[4·chunk, 10C]` intermediates then stay in the CPU caches; measured on a ×4 decode
 * of a 64² map (2 WASM threads): 1.27 s at 512, 1.35 s at 1024, 1.48 s at 2048, 1.57 s at 8192 —
 * and 2048 on WebGPU, where each step is a round of kernel dispatches and larger batches keep a GPU
 * busy.
 */
export function defaultChunkSize(): number {
  return tf.getBackend() === 'webgpu' ? 2048 : 512;
}

/**
 * Runs CiaoSR on a normalised LR image `lq` (`[1, h, w, 3]`) to an `H × W` output and returns the
 * de-normalised, clamped RGB as host data `[H·W·3]`. Tiles the LR image: per tile, the encoder runs on
 * `core ± (attentionMargin + receptiveField)`, the non-local attention and the gather maps on
 * `core ± attentionMargin`, and the HR pixels whose containing LR pixel is in the core are decoded in
 * chunks with the global coordinate geometry, so device memory is bounded by the tile and the chunk.
 * With one tile (image ≤ tile) this is the official full-image computation.
 */
export async function runTiledCiaoSR(model: CiaoSR, lq: tf.Tensor4D, H: number, W: number, opts: TiledInferenceOptions = {}): Promise<Float32Array> {
  const [b, h, w, c] = lq.shape;
  if (b !== 1) throw new InputError(`upscale expects one image, got a batch of ${b}`);
  if (c !== 3) throw new InputError(`CiaoSR expects 3 colour channels, got ${c}`, 'E_CHANNELS');
  const tile = opts.tile ?? 64;
  const margin = opts.attentionMargin ?? 16;
  const chunk = Math.floor(opts.chunkSize ?? defaultChunkSize());
  if (!(tile >= 4)) throw new InputError(`tile must be ≥ 4 LR pixels (or Infinity), got ${tile}`);
  if (!(Number.isInteger(margin) && margin >= 2)) throw new InputError(`attentionMargin must be an integer ≥ 2, got ${margin}`);
  if (!(chunk >= 1)) throw new InputError(`chunkSize must be ≥ 1, got ${opts.chunkSize}`);
  const rf = Math.max(0, Math.ceil(model.backbone.receptiveField));
  // Neighbouring attention windows overlap (a 64² core has a 96² window), and each window's encoder
  // patch adds the receptive field: encoding per tile repeats the backbone ~4× per pixel. Up to
  // SHARED_FEATURES_MAX_BYTES the whole image is encoded once (in ENCODER_TILE tiles, exact with
  // the receptive field as overlap) and the windows are cut from it.
  const sharedFeatures = opts.shareFeatures ?? (Math.max(h, w) > tile && h * w * model.head.channels * 4 <= SHARED_FEATURES_MAX_BYTES);
  const { tile: planned, chunk: chunkSize } = planCiaoSRMemory(model, { h, w, H, W, tile, margin, rf, chunk, sharedFeatures }, opts.onWarning);
  const tiles = planTiles(h, w, { tile: planned, overlap: 0 });
  const rowsOf = containingIndex(h, H);
  const colsOf = containingIndex(w, W);
  const mean = model.mean;
  const out = new Float32Array(H * W * 3);
  let done = 0;
  const report = (stage: UpscaleProgress['stage'], t: number) =>
    opts.onProgress?.({ stage, done: stage === 'decode' ? done : t, total: stage === 'decode' ? H * W : tiles.length, tile: t, tiles: tiles.length });
  const features = sharedFeatures && tiles.length > 1 ? await runTiled(lq, (p) => model.encode(p), { tile: ENCODER_TILE, overlap: rf }) : null;
  try {
    for (const t of tiles) {
      if (t.index > 0) await yieldToEventLoop();
      throwIfAborted(opts.signal);
      const win = tiles.length === 1 ? { y0: 0, x0: 0, y1: h, x1: w } : grow(t.core, margin, h, w);
      const patch = tiles.length === 1 ? win : grow(win, rf, h, w);
      // The decoder gathers from the core plus one pixel (its neighbours and bilinear corners), so F̃
      // and the gather maps are built there only, in window coordinates.
      const need = tiles.length === 1 ? win : grow(t.core, 1, h, w);
      const region = { y0: need.y0 - win.y0, x0: need.x0 - win.x0, y1: need.y1 - win.y0, x1: need.x1 - win.x0 };
      const wh = win.y1 - win.y0;
      const ww = win.x1 - win.x0;
      report('encode', t.index);
      let maps!: FeatureMaps;
      tf.tidy(() => {
        const src = features ?? model.encode(tf.slice(lq, [0, patch.y0, patch.x0, 0], [1, patch.y1 - patch.y0, patch.x1 - patch.x0, 3]));
        const at = features ? { y0: 0, x0: 0 } : patch; // origin of `src` in the image
        const feat = tf.slice(src, [0, win.y0 - at.y0, win.x0 - at.x0, 0], [1, wh, ww, src.shape[3]]);
        const lqWin = tf.slice(lq, [0, win.y0, win.x0, 0], [1, wh, ww, 3]);
        const whole = tiles.length === 1;
        const nl = model.head.nonLocal(feat, whole ? undefined : region);
        maps = keepMaps(model.head.prepare(feat, nl, lqWin, { region: whole ? undefined : region, logitTables: H * W >= LOGIT_TABLE_RATIO * h * w }));
      });
      try {
        const rows = hrRange(rowsOf, t.core.y0, t.core.y1);
        const cols = hrRange(colsOf, t.core.x0, t.core.x1);
        const n = rows.length * cols.length;
        for (let start = 0; start < n; start += chunkSize) {
          await yieldToEventLoop();
          throwIfAborted(opts.signal);
          const end = Math.min(n, start + chunkSize);
          const ys = new Int32Array(end - start);
          const xs = new Int32Array(end - start);
          for (let q = start; q < end; q++) {
            ys[q - start] = rows[Math.floor(q / cols.length)];
            xs[q - start] = cols[q % cols.length];
          }
          const qa = fillQueries({ geom: { h, w, H, W }, oy: need.y0, ox: need.x0, wh: need.y1 - need.y0, ww: need.x1 - need.x0, base: 0 }, ys, xs);
          const pred = tf.tidy(() => tf.clipByValue(tf.add(model.head.decode(maps, qa, true), tf.tensor1d([...mean])), 0, 1));
          let data: Float32Array;
          try {
            data = (await pred.data()) as Float32Array;
          } finally {
            pred.dispose();
          }
          for (let q = 0; q < ys.length; q++) {
            const o = (ys[q] * W + xs[q]) * 3;
            out[o] = data[3 * q];
            out[o + 1] = data[3 * q + 1];
            out[o + 2] = data[3 * q + 2];
          }
          done += ys.length;
          report('decode', t.index);
        }
      } finally {
        disposeMaps(maps);
      }
    }
  } finally {
    features?.dispose();
  }
  return out;
}

/**
 * Checks one tile's memory against the backend before any work: halves an oversized tile (and the
 * decoder chunk) until the plan fits, saying so through `onWarning`, or throws `E_MEMORY` with the numbers.
 */
function planCiaoSRMemory(
  model: CiaoSR,
  s: { h: number; w: number; H: number; W: number; tile: number; margin: number; rf: number; chunk: number; sharedFeatures: boolean },
  onWarning: (message: string) => void = (m) => console.warn(m),
): { tile: number; chunk: number } {
  const limits = backendMemoryLimits();
  const channels = model.head.channels;
  const hidden = (model.head.imnetK.first.bias?.shape[0] as number | undefined) ?? 256;
  const whole = Math.min(s.tile, Math.max(s.h, s.w));
  // The decoder chunk alone may take at most a quarter of the budget.
  let chunk = s.chunk;
  const perQuery = ciaosrTileItems({ ...s, tile: 1, channels, hidden, chunk: 1, whole: false }).find((i) => i.name.startsWith('decoder'))!.bytes;
  const maxChunk = Math.max(64, Math.floor(limits.totalBytes / 4 / perQuery));
  if (chunk > maxChunk) {
    onWarning(`CiaoSR: chunkSize ${chunk} needs ${fmtBytes(chunk * perQuery)} per decode step; reduced to ${maxChunk} (${limits.source})`);
    chunk = maxChunk;
  }
  const items = (t: number) => ciaosrTileItems({ ...s, tile: t, channels, hidden, chunk, whole: t >= Math.max(s.h, s.w) });
  const { tile, plan } = fitTile(whole, Math.min(whole, 16), items, `CiaoSR upscale of ${s.w}×${s.h} to ${s.W}×${s.H}`, limits);
  if (tile < whole)
    onWarning(
      `CiaoSR: a ${whole}-pixel tile would need ${fmtBytes(planMemoryTotal(items(whole)))} (${limits.source}); ` +
        `using ${tile}-pixel tiles (${fmtBytes(plan.totalBytes)})`,
    );
  return { tile, chunk };
}

const planMemoryTotal = (items: { bytes: number }[]) => items.reduce((a, i) => a + i.bytes, 0);
