/**
 * VSpM, the variational sparse module of VSpSR (Zhou et al., NTIRE 2021 "Learning the SR space",
 * official code zzhwfy/VSpSR `models/vspm.py`). The paper's formulas were lost in extraction; the
 * official code is the specification (notes §2.1):
 *
 *   HR = finalbranch(x_s) + upsamplebranch(interp_s(LR))            (x = x_s + x_d)
 *   x_s = PixelShuffle_s(Bᵀ w)  per colour channel, B: n_basis atoms of s×s per image and channel
 *   w = μ_w + σ_w·ε,  ε ~ N(0, I),  (μ_w, log σ²_w) = weightbranch(LR channel)
 *
 * Colour channels are folded into the batch ((B,3,H,W) → (B·3,1,H,W)), so one network serves R, G
 * and B ("VSpM in parallel for RGB channels"). The basis comes from a global-pooled branch, hence is
 * shared by every patch of a channel, while the coefficients are per LR pixel (LR pixel (i, j) owns
 * HR patch (i, j)). All tensors are NHWC here; parameter names equal the official `vspm.*` keys.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Conv2d,
  ConvTranspose2d,
  GroupNorm,
  InputError,
  InstanceNorm2d,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  interpolate,
} from '@sr/core';
import { Flatten, GlobalAvgPool2d, Unflatten1x1, detach } from './layers.js';

/** Constructor arguments of the official `make_vspm` (camelCase), with its defaults. */
export interface VSpMConfig {
  /** SR factor, 4 or 8 (the official code asserts this). */
  scale: 4 | 8;
  /** Number of atoms per channel (`n_basis`; 256 in the final model, `make_vspm` default 64). */
  nBasis: number;
  /** Input channels of the branches (`n_color`; 1 = per-channel processing). */
  nColor: number;
  /** Shape α of the Gamma prior on the precision ρ. */
  alpha: number;
  /** Rate β of the Gamma prior on ρ (`make_vspm` default 0.5; main.py 1.0; ×8 run 0.1). */
  beta: number;
  /** Stochastic basis (off in the final model). */
  variationalZ: boolean;
  /** Stochastic coefficients w (on in the final model). */
  variationalW: boolean;
  /** Deterministic part x_d = CNN(interp(LR)) (`--upsample`). */
  upsample: boolean;
  /** Interpolation of x_d: bilinear (×4 demo) or bicubic (×8 demo), align_corners=False. */
  mode: 'bilinear' | 'bicubic' | 'nearest';
}

/** `make_vspm` defaults. */
export const VSPM_DEFAULTS: VSpMConfig = {
  scale: 4,
  nBasis: 64,
  nColor: 1,
  alpha: 3.0,
  beta: 0.5,
  variationalZ: false,
  variationalW: true,
  upsample: false,
  mode: 'bilinear',
};

/** What the ε-independent part of the forward pass produces (all NHWC, channels folded into batch). */
export interface VSpMEncoding {
  /** Basis atoms `[B·3, s, s, n]` (kernelbranch output, or its sample when variationalZ). */
  basis: tf.Tensor4D;
  /** Mean of the basis when variationalZ, else null. */
  muZ: tf.Tensor4D | null;
  logvarZ: tf.Tensor4D | null;
  /** Coefficient mean `[B·3, H, W, n]` (or the deterministic coefficients when !variationalW). */
  muW: tf.Tensor4D;
  /** Coefficient log-variance `[B·3, H, W, n]`, or null when !variationalW. */
  logvarW: tf.Tensor4D | null;
  /** x_d = upsamplebranch(interp(LR)) `[B, sH, sW, 3]`, or null without `upsample`. */
  upx: tf.Tensor4D | null;
  /** Input batch size and LR size. */
  batch: number;
  channels: number;
  height: number;
  width: number;
}

/** Everything one VSpM forward pass computes, as the official `forward` does. */
export interface VSpMOutput {
  /** SR output `[B, sH, sW, 3]` = finalbranch(x_s) + x_d. */
  pred: tf.Tensor4D;
  /** σ_w = exp(log σ²/2), `[B·3, H, W, n]` (null when !variationalW). */
  sigmaW: tf.Tensor4D | null;
  /** Sampled coefficients w `[B·3, H, W, n]`. */
  w: tf.Tensor4D;
  /** x_s before the finalbranch `[B, sH, sW, 3]`. */
  xs: tf.Tensor4D;
  /** finalbranch(x_s) before adding x_d. */
  finalOut: tf.Tensor4D;
  /** Per-element KL of w (eq. 5 as implemented), `[B·3, H, W, n]`; null when !variationalW. */
  klW: tf.Tensor4D | null;
  /** Per-element KL of the basis when variationalZ. */
  klZ: tf.Tensor4D | null;
}

/** Noise for one forward pass; NHWC like the tensors it perturbs. */
export interface VSpMNoise {
  /** ε for w, `[B·3, H, W, n]`. */
  epsW?: tf.Tensor;
  /** ε for the basis, `[B·3, s, s, n]` (variationalZ only). */
  epsZ?: tf.Tensor;
}

const conv = (cin: number, cout: number, k: number) => new Conv2d(cin, cout, k, { padding: Math.floor(k / 2) });

/** The official VSPM module (keys `upsamplebranch.*`, `kernelbranch.*`, `weightbranch.*`, `finalbranch.*`). */
export class VSPM extends Module {
  readonly config: VSpMConfig;
  readonly upsamplebranch: Sequential | null;
  readonly kernelbranch: Sequential;
  readonly weightbranch: Sequential;
  readonly finalbranch: Sequential;

  constructor(config: Partial<VSpMConfig> = {}) {
    super();
    const c = { ...VSPM_DEFAULTS, ...config };
    if (c.scale !== 4 && c.scale !== 8) throw new InputError(`VSpSR supports scales 4 and 8 only (the official code asserts this), got ${c.scale}`);
    if (!(Number.isInteger(c.nBasis) && c.nBasis >= 4 && c.nBasis % 4 === 0)) throw new InputError(`VSpSR: nBasis must be a multiple of 4, got ${c.nBasis}`);
    this.config = c;
    const n = c.nBasis;
    const sZ = c.variationalZ ? 2 : 1;
    const sW = c.variationalW ? 2 : 1;
    this.upsamplebranch = c.upsample
      ? this.child('upsamplebranch', new Sequential().add('0', conv(3, 16, 3)).add('1', new ReLU()).add('2', conv(16, 3, 3)))
      : null;

    // Basis ("kernel") branch: 4 × [conv3×3, InstanceNorm, ReLU, MaxPool2], global pool, Linear, then
    // a 1×1 → s×s "decoder" (conv2×2 pad 1 → 2×2, convT3×3 → 4×4, [convT2×2 s2 → 8×8], conv1×1).
    const kb = new Sequential();
    const widths = [c.nColor, n / 4, n / 2, n, 2 * n];
    for (let i = 0; i < 4; i++) {
      kb.add(String(4 * i), conv(widths[i], widths[i + 1], 3));
      kb.add(String(4 * i + 1), new InstanceNorm2d(widths[i + 1]));
      kb.add(String(4 * i + 2), new ReLU());
      kb.add(String(4 * i + 3), new MaxPool2d(2, { stride: 2 }));
    }
    kb.add('16', new GlobalAvgPool2d()).add('17', new Flatten()).add('18', new Linear(2 * n, sZ * n)).add('19', new Unflatten1x1());
    kb.add('20', new Conv2d(sZ * n, sZ * n, 2, { padding: 1 }));
    kb.add('21', new ConvTranspose2d(sZ * n, sZ * n, 3, { stride: 1 }));
    if (c.scale === 4) kb.add('22', conv(sZ * n, sZ * n, 1));
    else kb.add('22', new ConvTranspose2d(sZ * n, sZ * n, 2, { stride: 2 })).add('23', conv(sZ * n, sZ * n, 1));
    this.kernelbranch = this.child('kernelbranch', kb);

    // Coefficient ("weight") branch: conv3×3 + GroupNorm(1) + ReLU ×4, conv1×1 → [μ_w, log σ²_w].
    const wb = new Sequential();
    const ww = [c.nColor, n / 4, n / 2, n, sW * n];
    for (let i = 0; i < 4; i++) {
      wb.add(String(3 * i), conv(ww[i], ww[i + 1], 3));
      wb.add(String(3 * i + 1), new GroupNorm(1, ww[i + 1]));
      wb.add(String(3 * i + 2), new ReLU());
    }
    wb.add('12', conv(sW * n, sW * n, 1));
    this.weightbranch = this.child('weightbranch', wb);

    this.finalbranch = this.child(
      'finalbranch',
      new Sequential().add('0', conv(3, 16, 3)).add('1', new ReLU()).add('2', conv(16, 16, 3)).add('3', new ReLU()).add('4', conv(16, 3, 3)),
    );
  }

  /** Smallest LR side the basis branch accepts (4 max-pools; InstanceNorm needs > 1 element). */
  static minSide = 16;

  /**
   * The ε-independent part: basis, coefficient mean/log-variance and x_d for an NHWC RGB batch
   * `[B, H, W, 3]` (values in [0, 1]).
   */
  encode(lr: tf.Tensor4D): VSpMEncoding {
    const c = this.config;
    if (lr.rank !== 4 || lr.shape[3] !== 3 * c.nColor) throw new InputError(`VSpSR expects an NHWC RGB batch [B, H, W, 3], got [${lr.shape}]`);
    const [b, h, w, ch] = lr.shape;
    // The basis branch pools 4 times (each side must reach ≥ 1 after the 4th MaxPool) and its 4th
    // InstanceNorm needs more than one spatial element: both sides ≥ 16 (the official code fails too).
    if (h < 16 || w < 16) throw new InputError(`VSpSR needs an LR image of at least 16×16 pixels (the basis branch pools 4 times), got ${h}×${w}`);
    return tf.tidy(() => {
      const upx = this.upsamplebranch ? (this.upsamplebranch.forward(upsampleInput(lr, c.scale, c.mode)) as tf.Tensor4D) : null;
      // (B,3,H,W) → (B·3,1,H,W): in NHWC, channel c of image i becomes batch row i·3 + c.
      const x = tf.reshape(tf.transpose(lr, [0, 3, 1, 2]), [b * ch, h, w, 1]) as tf.Tensor4D;
      const z = this.kernelbranch.forward(x) as tf.Tensor4D;
      const wOut = this.weightbranch.forward(x) as tf.Tensor4D;
      let muZ: tf.Tensor4D | null = null;
      let logvarZ: tf.Tensor4D | null = null;
      let basis = z;
      if (c.variationalZ) {
        [muZ, logvarZ] = tf.split(z, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
        basis = muZ;
      }
      let muW = wOut;
      let logvarW: tf.Tensor4D | null = null;
      if (c.variationalW) [muW, logvarW] = tf.split(wOut, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return { basis, muZ, logvarZ, muW, logvarW, upx, batch: b, channels: ch, height: h, width: w } as never;
    }) as VSpMEncoding;
  }

  /**
   * The ε-dependent part: sample w (and the basis when variationalZ), form x_s = PixelShuffle(Bᵀw),
   * refine and add x_d. Without noise the means are used (σ·ε = 0), which is the posterior mean.
   */
  decode(enc: VSpMEncoding, noise: VSpMNoise = {}): VSpMOutput {
    const c = this.config;
    const s = c.scale;
    const n = c.nBasis;
    const { batch: b, channels: ch, height: h, width: wd } = enc;
    return tf.tidy(() => {
      let sigmaW: tf.Tensor4D | null = null;
      let w = enc.muW;
      let klW: tf.Tensor4D | null = null;
      if (enc.logvarW) {
        sigmaW = tf.exp(tf.div(enc.logvarW, 2)) as tf.Tensor4D;
        if (noise.epsW) {
          checkShape(noise.epsW, enc.muW.shape, 'epsW');
          w = tf.add(enc.muW, tf.mul(sigmaW, noise.epsW)) as tf.Tensor4D;
        }
        klW = sparseKl(enc.muW, enc.logvarW, c.alpha, c.beta);
      }
      let basis = enc.basis;
      let klZ: tf.Tensor4D | null = null;
      if (enc.muZ && enc.logvarZ) {
        const sigmaZ = tf.exp(tf.div(enc.logvarZ, 2));
        if (noise.epsZ) {
          checkShape(noise.epsZ, enc.muZ.shape, 'epsZ');
          basis = tf.add(enc.muZ, tf.mul(sigmaZ, noise.epsZ)) as tf.Tensor4D;
        }
        klZ = tf.sub(tf.add(tf.square(enc.muZ), tf.exp(enc.logvarZ)), enc.logvarZ) as tf.Tensor4D;
      }
      // Official: z (B3, n, s²) permuted to (B3, s², n) @ w (B3, n, HW) → (B3, s², H, W) → PixelShuffle.
      // NHWC: [B3, HW, n] @ [B3, s², n]ᵀ → [B3, HW, s²]; channel index ky·s + kx as in PixelShuffle.
      // tfjs-wasm 4.22's BatchMatMul drops one reference to the data of its inputs when they are
      // reshape views (which share data): a view of `enc.basis` / `enc.muW` would free the encoding's
      // own tensors after the first sample. The matMul therefore gets fresh buffers (a transpose and a
      // copy), never views of `enc` or of the returned `w`.
      const z = tf.transpose(tf.reshape(basis, [b * ch, s * s, n]), [0, 2, 1]) as tf.Tensor3D;
      const wf = tf.reshape(tf.mul(w, 1), [b * ch, h * wd, n]) as tf.Tensor3D;
      const patches = tf.reshape(tf.matMul(wf, z), [b * ch, h, wd, s, s]);
      const shuffled = tf.reshape(tf.transpose(patches, [0, 1, 3, 2, 4]), [b, ch, h * s, wd * s]);
      const xs = tf.transpose(shuffled, [0, 2, 3, 1]) as tf.Tensor4D;
      const finalOut = this.finalbranch.forward(xs) as tf.Tensor4D;
      const pred = (enc.upx ? tf.add(finalOut, enc.upx) : tf.clone(finalOut)) as tf.Tensor4D;
      return { pred, sigmaW, w: w === enc.muW ? tf.clone(w) : w, xs, finalOut, klW, klZ } as never;
    }) as VSpMOutput;
  }
}

/**
 * Per-element KL of the coefficients under the sparse (ARD) prior, as the official code computes it.
 * Prior: w | ρ ~ N(0, 1/ρ), ρ ~ Gamma(α, β) (shape, rate) — a Student-t marginal, which favours
 * sparse codes. The mean-field update of q(ρ) is Gamma(α + ½, β + ½(μ² + σ²)), hence the closed form
 * E[ρ] = (α + ½)/(β + ½(μ² + σ²)), which the official code DETACHES (treated as a constant in the
 * gradient). `KL_w = E[ρ]·(μ² + σ²) − log σ²`: twice E_q(ρ) KL(N(μ, σ²) ‖ N(0, 1/ρ)) without constants.
 */
export function sparseKl(mu: tf.Tensor, logvar: tf.Tensor, alpha: number, beta: number): tf.Tensor4D {
  return tf.tidy(() => {
    const second = tf.add(tf.square(mu), tf.exp(logvar));
    const rho = detach(tf.div(alpha + 0.5, tf.add(beta, tf.mul(0.5, second))));
    return tf.sub(tf.mul(rho, second), logvar) as tf.Tensor4D;
  });
}

/**
 * `F.interpolate(lr, scale_factor=s, mode)` with align_corners=False. For bilinear at an integer
 * factor, tfjs's native `resizeBilinear` with half-pixel centres computes the same sample positions
 * and weights (src = (dst + ½)/s − ½, clamped) and is much faster than a gather-based resampler on
 * the CPU backend; bicubic (A = −0.75, clamped taps) and nearest go through core's PyTorch-exact
 * `interpolate`.
 */
function upsampleInput(lr: tf.Tensor4D, scale: number, mode: VSpMConfig['mode']): tf.Tensor4D {
  if (mode === 'bilinear') return tf.image.resizeBilinear(lr, [lr.shape[1] * scale, lr.shape[2] * scale], false, true);
  return interpolate(lr, { scaleFactor: scale, mode });
}

function checkShape(t: tf.Tensor, shape: number[], name: string): void {
  if (t.shape.join() !== shape.join()) throw new InputError(`VSpSR: ${name} has shape [${t.shape}], expected [${shape}]`);
}

/** Disposes every tensor of an encoding or output record. */
export function disposeRecord(r: object): void {
  for (const v of Object.values(r)) if (v instanceof tf.Tensor) v.dispose();
}
