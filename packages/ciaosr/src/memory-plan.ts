/**
 * Up-front memory plan of a tiled CiaoSR upscale (see `runTiledCiaoSR`): what one tile holds at its
 * peak, per tensor, so the tile can be shrunk (or the request refused) before any work starts. The
 * numbers are upper bounds of the tensors alive inside one `tf.tidy`, from the shapes in
 * `cross-scale-attention.ts` (`single`) and `head.ts` (`prepare`, `decode`).
 * @module
 */
import type { MemoryItem } from '@sr/core';

/** Shapes that decide a tile's memory. */
export interface CiaoSRTileShape {
  /** LR input size. */
  h: number;
  w: number;
  /** HR output size. */
  H: number;
  W: number;
  /** Core tile side (LR px), attention margin and encoder receptive field (LR px). */
  tile: number;
  margin: number;
  rf: number;
  /** Backbone feature channels C and the MLPs' hidden width. */
  channels: number;
  hidden: number;
  /** HR queries decoded per step. */
  chunk: number;
  /** True when the whole image is one tile (no margins). */
  whole: boolean;
  /**
   * True when the backbone features of the whole image are computed once (in {@link ENCODER_TILE}
   * tiles) and kept for the tile loop, instead of encoding each tile's patch.
   */
  sharedFeatures?: boolean;
}

/** Tile side (LR px) of the whole-image encoder pass when features are shared between tiles. */
export const ENCODER_TILE = 256;
/** Largest whole-image feature map kept for the tile loop (bytes): 256 MiB, ≈ 2 MP at 32 channels. */
export const SHARED_FEATURES_MAX_BYTES = 256 * 2 ** 20;

const F32 = 4;

/** The buffers one tile holds at its peak, plus the output and input that live throughout. */
export function ciaosrTileItems(s: CiaoSRTileShape): MemoryItem[] {
  const C = s.channels;
  const side = (n: number, extra: number) => Math.min(n, s.whole ? n : s.tile + 2 * extra);
  const wh = side(s.h, s.margin);
  const ww = side(s.w, s.margin);
  // Encoder input: the whole-image pass's tile, or this tile's window plus the receptive field.
  const ph = s.sharedFeatures ? Math.min(s.h, ENCODER_TILE + 2 * s.rf) : side(s.h, s.margin + s.rf);
  const pw = s.sharedFeatures ? Math.min(s.w, ENCODER_TILE + 2 * s.rf) : side(s.w, s.margin + s.rf);
  // Cross-scale attention on the window padded to even size: scores [N, L] with L = N/4 are alive as
  // the matMul, the ×10 scaling and the softmax (and its exp) inside one tidy: count 4 copies.
  const hp = wh + (wh % 2);
  const wp = ww + (ww % 2);
  const N = hp * wp;
  const L = N / 4;
  const scores = N * L * F32;
  return [
    { name: `attention scores [${N} × ${L}]`, bytes: scores, single: true },
    { name: 'attention intermediates (3 more score-sized tensors)', bytes: 3 * scores },
    // folded paste (attention-paste.ts): value taps [36, L, C] and their transpose, the padded patches
    // [L, 9, 9, C], the kernel G [L, 16C], the product [N, 16C] and its 16 shifted blocks [16, N, C]
    { name: 'attention paste (value patches, folded kernel, shifted products)', bytes: (2 * 36 + 81 + 16) * C * L * F32 + 2 * 16 * N * C * F32 },
    // backbone activations on the patch (window + receptive field); residual blocks keep a few maps alive
    { name: `encoder activations on a ${ph}×${pw} patch`, bytes: 8 * ph * pw * C * F32 },
    // unfold (9C), value map (10C), their projections (hidden each), plus the tidy's temporaries
    { name: 'head maps', bytes: wh * ww * (38 * C + 2 * s.hidden + 3) * F32 },
    // per query and neighbour: key 9C, value 10C, gated copies and products (×3), hidden activations of two 4-layer MLPs
    { name: `decoder chunk of ${s.chunk} queries`, bytes: 4 * s.chunk * (57 * C + 8 * s.hidden) * F32 },
    // The output is assembled on the host and only becomes a tensor at the end (not bound to a shader
    // unless alpha is concatenated), so it counts towards the total but not the per-buffer limit.
    { name: `output ${s.W}×${s.H}×4`, bytes: s.H * s.W * 4 * F32 },
    { name: 'normalised input', bytes: s.h * s.w * 3 * F32 },
    ...(s.sharedFeatures ? [{ name: `features of the whole ${s.w}×${s.h} image`, bytes: s.h * s.w * C * F32 }] : []),
  ];
}
