import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, PReLU, Sequential, constantInit, runTiled, type Rect } from '@sr/core';
import { pasteDown, pasteSpan } from './attention-paste.js';
import { unfold3x3, windowTaps } from './unfold.js';

/** `BasicBlock(default_conv, cin, cout, 1, act=PReLU())` of the official code: 1×1 conv (key `0`) + PReLU (key `1`). */
function basicBlock(cin: number, cout: number): Sequential {
  return new Sequential().add('0', new Conv2d(cin, cout, 1)).add('1', new PReLU());
}

/**
 * CiaoSR's scale-aware non-local attention (paper §3.3), the cross-scale attention of CSNLN (Mei et al.,
 * CVPR 2020) as implemented in the official `mmedited/models/common/arch_csnln.py` with `scale=[2]`:
 * every LR position attends (softmax temperature 10) to all 3×3 patches of the ×½-downscaled map
 * (L2-normalised keys, ε = `escape_NaN` = 1e-4) and pastes the matching 6×6 patches of the full-resolution
 * embedding back with a stride-2 transposed convolution; `down` (3×3, stride 2) returns to LR
 * resolution, the result is divided by 6 and cropped to the input size. The paste and `down` run
 * folded into one operator (`attention-paste.ts`: same values, 2.25× fewer multiply-adds).
 *
 * The score volume is `(h·w) × (h·w/4)`: callers bound `h × w` by windowing (the upscaler runs it per
 * tile, as the official `clip_test` does; the paper's "search in a small window").
 */
export class CrossScaleAttention extends Module {
  readonly escapeNaN: tf.Variable;
  readonly convMatch1: Sequential;
  readonly convMatch2: Sequential;
  readonly convAssembly: Sequential;
  readonly down: Conv2d;
  /** Softmax temperature (logits are multiplied by it). */
  readonly softmaxScale = 10;
  readonly ksize = 3;
  readonly scale = 2;

  constructor(readonly channels = 64, readonly reduction = 2) {
    super();
    this.escapeNaN = this.buffer('escape_NaN', [1], constantInit(1e-4));
    this.convMatch1 = this.child('conv_match_1', basicBlock(channels, channels / reduction));
    this.convMatch2 = this.child('conv_match_2', basicBlock(channels, channels / reduction));
    this.convAssembly = this.child('conv_assembly', basicBlock(channels, channels));
    this.down = this.child('down', new Conv2d(channels, channels, 3, { stride: 2, padding: 1 }));
  }

  /** `[B, h, w, C]` → `[B, h, w, C]` (batch elements attend independently, as the official loop). */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b] = x.shape;
      if (x.shape[3] !== this.channels) throw new Error(`CrossScaleAttention expects ${this.channels} channels, got ${x.shape[3]}`);
      if (b === 1) return this.single(x);
      const outs = tf.split(x, b, 0).map((xi) => this.single(xi as tf.Tensor4D));
      return tf.concat(outs, 0);
    });
  }

  /**
   * Windowed attention for large maps: every `tile × tile` block attends within the block plus
   * `margin` pixels of context (each window is a separate {@link CrossScaleAttention.forward}), so memory
   * is bounded by `(tile + 2·margin)⁴ / 4` scores instead of `(h·w)² / 4`. Equals `forward` when one
   * window covers the map.
   */
  forwardWindowed(x: tf.Tensor4D, opts: { tile?: number; margin?: number } = {}): Promise<tf.Tensor4D> {
    return runTiled(x, (p) => this.forward(p), { tile: opts.tile ?? 64, overlap: opts.margin ?? 16 });
  }

  /**
   * `forward(x)` cropped to `region` (rows `y0…y1`, columns `x0…x1` of `x`, batch 1), computing only
   * what the crop depends on: every position of `x` is still a key, but only the queries whose pasted
   * 6×6 patches reach the region's `down` input are scored and pasted. A tiled decode needs `F̃` on its
   * tile core (plus one pixel), not on the whole attention window — about half of the window's
   * queries at the default tile 64 / margin 16. Equals `slice(forward(x), region)` up to float rounding.
   */
  forwardRegion(x: tf.Tensor4D, region: Rect): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    if (b !== 1) throw new Error(`CrossScaleAttention.forwardRegion expects one image, got a batch of ${b}`);
    if (c !== this.channels) throw new Error(`CrossScaleAttention expects ${this.channels} channels, got ${c}`);
    const { y0, x0, y1, x1 } = region;
    if (!(0 <= y0 && y0 < y1 && y1 <= h && 0 <= x0 && x0 < x1 && x1 <= w))
      throw new Error(`CrossScaleAttention.forwardRegion: region [${y0}, ${y1}) × [${x0}, ${x1}) is not inside ${h}×${w}`);
    return tf.tidy(() => this.single(x, region));
  }

  private single(input: tf.Tensor4D, region?: Rect): tf.Tensor4D {
    const [, h, w] = input.shape;
    const s = this.scale;
    const ph = h % s ? s - (h % s) : 0;
    const pw = w % s ? s - (w % s) : 0;
    // Reflect-pad bottom/right to a multiple of the scale (official: F.pad(..., 'reflect')). A size-1
    // axis cannot be reflected; replicate it instead (PyTorch would raise).
    let xp: tf.Tensor4D = input;
    if (ph || pw) {
      const pads: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [0, ph], [0, pw], [0, 0]];
      xp = h > 1 && w > 1 ? tf.mirrorPad(input, pads, 'reflect') : tf.mirrorPad(input, pads, 'symmetric');
    }
    const hp = h + ph;
    const wp = w + pw;
    const hs = hp / s;
    const ws = wp / s;
    const L = hs * ws;
    const out = region ?? { y0: 0, x0: 0, y1: h, x1: w };
    const embed = this.convAssembly.forward(xp) as tf.Tensor4D; // [1, hp, wp, C]
    const match = this.convMatch1.forward(xp) as tf.Tensor4D; // [1, hp, wp, C/2]
    // F.interpolate(scale_factor=1/2, bilinear, align_corners=False) on an even map = 2×2 mean.
    const ref = this.convMatch2.forward(tf.avgPool(xp, s, s, 'valid')) as tf.Tensor4D; // [1, hs, ws, C/2]
    const keyDim = 9 * ref.shape[3];
    const keys = tf.reshape(unfold3x3(ref), [L, keyDim]);
    const norms = tf.maximum(tf.sqrt(tf.sum(tf.square(keys), 1, true)), this.escapeNaN);
    const keysN = tf.div(keys, norms);
    // Only the query positions whose pasted patches reach the output region are scored and pasted.
    const sy = pasteSpan(out.y0, out.y1, hp);
    const sx = pasteSpan(out.x0, out.x1, wp);
    const qh = sy.q1 - sy.q0;
    const qw = sx.q1 - sx.q0;
    const queries = tf.reshape(tf.slice(unfold3x3(match), [0, sy.q0, sx.q0, 0], [1, qh, qw, keyDim]), [qh * qw, keyDim]);
    // keysNᵀ materialised: the WASM backend's matMul with a transposed right operand runs ≈10× slower.
    const scores = tf.softmax(tf.mul(tf.matMul(queries, tf.transpose(keysN)), this.softmaxScale)); // [qh·qw, L]
    // Value patches: 6×6 patches of the embedding at stride 2 with 'same' zero padding (2 each side).
    const k = s * this.ksize;
    const taps = windowTaps(embed, k, s, (k - s) / 2); // [36, L, C]
    const down = { weight: this.down.weight as tf.Tensor4D, bias: this.down.bias as tf.Tensor1D | undefined };
    const y = pasteDown(tf.reshape(scores, [qh, qw, L]), taps, sy, sx, down, { h: hp, w: wp });
    return tf.div(y, 6) as tf.Tensor4D;
  }
}
