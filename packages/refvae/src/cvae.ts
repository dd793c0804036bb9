import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, LeakyReLU, Linear, Module, Sequential, Upsample, interpolate, type Callable } from '@sr/core';

/** Dimension of the CVAE latent z (official `VAE_encoder` outputs 512 = μ ‖ log σ²). */
export const LATENT_DIM = 256;
/** Spatial size the reference feature is resized to before the encoder's Linear layer. */
const ENC_GRID = 16;
/** Channels of the CVAE feature grid (64 × 16 × 16 = 16384). */
const ENC_CH = 64;

/**
 * Official `ResnetBlock(n, 3, 1, 1)`: conv3×3 → LeakyReLU(0.01) → conv3×3, + x, LeakyReLU. Zero
 * padding (unlike the VGG encoder's reflection padding).
 */
export class ResnetBlock extends Module implements Callable {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(numFilter: number) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(numFilter, numFilter, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(numFilter, numFilter, 3, { padding: 1 }));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.conv2.forward(tf.leakyRelu(this.conv1.forward(x), 0.01));
      return tf.leakyRelu(tf.add(h, x), 0.01) as tf.Tensor4D;
    });
  }
}

/** `nn.Upsample(scale_factor=2, mode='bilinear')` (align_corners False, PyTorch ≥ 0.4 default). */
const upsample2x = () => new Upsample({ scaleFactor: 2, mode: 'bilinear' });

/** μ and log σ² of q(z | reference), each `[B, 256]`. */
export type Posterior = {
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
};

/** Every intermediate of {@link RefVAENet.decode}, NHWC (what the golden fixture stores). */
export type DecodeOutputs = {
  /** `dec_feat(resize(VAE_decoder(z)))`: the reference condition C_R, `[B, h, w, 512]`. */
  cR: tf.Tensor4D;
  /** First 512 channels of `mask(F_X)`. */
  fMu: tf.Tensor4D;
  /** Last 512 channels of `mask(F_X)`. */
  fSigma: tf.Tensor4D;
  /** `C_R·(1 + F_σ) + F_μ`, the image decoder input. */
  fused: tf.Tensor4D;
  /** Image decoder output before the bicubic skip, `[B, s·H, s·W, 3]`. */
  decoderOut: tf.Tensor4D;
  /** Bicubic ×s of the LR image (the global residual). */
  lrBicubic: tf.Tensor4D;
  /** `decoderOut + lrBicubic`, not clamped. */
  sr: tf.Tensor4D;
};

/**
 * The RefVAE conditional VAE + image decoder: official `model.py: VAE_v3_8x` (scale 8) and
 * `VAE_v3_4x` (scale 4, identical but for the final bicubic ×4). Parameter names are the official
 * `ConVAE_8x.pth` / `ConVAE_4x.pth` keys, including the unused `bn` (BatchNorm1d(256)); the unused
 * parameter-free `mu_act`/`var_act` are omitted. Tensors are NHWC; flattening for the Linear
 * layers follows PyTorch's C, H, W order. (Paper §3.2–3.3.)
 */
export class RefVAENet extends Module {
  readonly init_feat: Sequential;
  readonly VAE_encoder: Sequential;
  readonly VAE_decoder: Sequential;
  readonly dec_feat: Sequential;
  readonly mask: Sequential;
  readonly decoder: Sequential;
  /** Unused `BatchNorm1d(256)`, kept because official checkpoints carry its keys. */
  readonly bn: BatchNorm2d;

  constructor(readonly scale: 4 | 8 = 8) {
    super();
    if (scale !== 4 && scale !== 8) throw new Error(`RefVAE scale must be 4 or 8, got ${scale}`);
    this.init_feat = this.child(
      'init_feat',
      new Sequential()
        .add('0', new Conv2d(512, ENC_CH, 1))
        .add('1', new BatchNorm2d(ENC_CH))
        .add('2', new LeakyReLU(0.01))
        .add('3', new Conv2d(ENC_CH, ENC_CH, 3, { padding: 1 }))
        .add('4', new BatchNorm2d(ENC_CH))
        .add('5', new LeakyReLU(0.01)),
    );
    this.VAE_encoder = this.child('VAE_encoder', new Sequential([new Linear(ENC_CH * ENC_GRID * ENC_GRID, 2 * LATENT_DIM)]));
    this.VAE_decoder = this.child('VAE_decoder', new Sequential([new Linear(LATENT_DIM, ENC_CH * ENC_GRID * ENC_GRID)]));
    this.dec_feat = this.child('dec_feat', new Sequential([new Conv2d(ENC_CH, 512, 1), new ResnetBlock(512)]));
    this.mask = this.child(
      'mask',
      new Sequential([new Conv2d(512, 512, 1), new ResnetBlock(512), new ResnetBlock(512), new ResnetBlock(512), new Conv2d(512, 1024, 1)]),
    );
    const lrelu = () => new LeakyReLU(0.01);
    this.decoder = this.child(
      'decoder',
      new Sequential()
        .add('0', upsample2x())
        .add('1', new Conv2d(512, 256, 3, { padding: 1 }))
        .add('2', lrelu())
        .add('3', upsample2x())
        .add('4', new Conv2d(256, 128, 3, { padding: 1 }))
        .add('5', lrelu())
        .add('6', upsample2x())
        .add('7', new Conv2d(128, 64, 3, { padding: 1 }))
        .add('8', lrelu())
        .add('9', new Conv2d(64, 64, 1))
        .add('10', lrelu())
        .add('11', new Conv2d(64, 3, 3, { padding: 1 })),
    );
    this.bn = this.child('bn', new BatchNorm2d(LATENT_DIM));
  }

  /** Bicubic ×s of the LR (`F.interpolate(lr, scale_factor=s, mode='bicubic')`): the VGG input and the global residual. */
  upsampleLR(lr: tf.Tensor4D): tf.Tensor4D {
    return interpolate(lr, { scaleFactor: this.scale, mode: 'bicubic' });
  }

  /** `init_feat(F_R)` before the 16×16 resize (the fixture's `init_feat_out`). */
  initFeat(refFeat: tf.Tensor4D): tf.Tensor4D {
    if (refFeat.shape[3] !== 512) throw new Error(`RefVAE expects 512-channel relu4_1 features, got [${refFeat.shape}]`);
    return this.init_feat.forward(refFeat) as tf.Tensor4D;
  }

  /**
   * Feature encoder (official `encode`): init_feat → bilinear 16×16 → flatten (C,H,W) → Linear →
   * μ (first 256), log σ² (last 256).
   */
  encode(refFeat: tf.Tensor4D): Posterior {
    return tf.tidy(() => {
      const f = interpolate(this.initFeat(refFeat), { size: [ENC_GRID, ENC_GRID], mode: 'bilinear' });
      const flat = tf.reshape(tf.transpose(f, [0, 3, 1, 2]), [f.shape[0], -1]);
      const stats = this.VAE_encoder.forward(flat) as tf.Tensor2D;
      const [mu, logvar] = tf.split(stats, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mu, logvar };
    });
  }

  /** z = μ + exp(½ log σ²)·ε (official `reparameterize`; ε ~ N(0, I) is supplied by the caller). */
  reparameterize(mu: tf.Tensor2D, logvar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.mul(eps, tf.exp(tf.mul(logvar, 0.5))), mu));
  }

  /** KL(q(z|R) ‖ N(0,I)) = −½ Σ(1 + log σ² − μ² − σ²), summed over batch and dims (paper eq. 4, official code). */
  kl(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar))), -0.5));
  }

  /** `mask(F_X)` split into (F_μ, F_σ) — the LR statistics branch; independent of z. */
  lrStats(lrFeat: tf.Tensor4D): { fMu: tf.Tensor4D; fSigma: tf.Tensor4D } {
    return tf.tidy(() => {
      const [fMu, fSigma] = tf.split(this.mask.forward(lrFeat), 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return { fMu, fSigma };
    });
  }

  /** C_R: Linear → view (64,16,16) → bilinear to the LR-feature size → dec_feat. */
  condition(z: tf.Tensor2D, featSize: [number, number]): tf.Tensor4D {
    return tf.tidy(() => {
      if (z.rank !== 2 || z.shape[1] !== LATENT_DIM) throw new Error(`z must be [B, ${LATENT_DIM}], got [${z.shape}]`);
      const grid = tf.transpose(tf.reshape(this.VAE_decoder.forward(z), [z.shape[0], ENC_CH, ENC_GRID, ENC_GRID]), [0, 2, 3, 1]) as tf.Tensor4D;
      return this.dec_feat.forward(interpolate(grid, { size: featSize, mode: 'bilinear' })) as tf.Tensor4D;
    });
  }

  /**
   * Decoder path (official `decode`) with every intermediate. `stats` may be passed in to reuse a
   * precomputed {@link RefVAENet.lrStats} of the same LR (the caller keeps ownership).
   */
  decodeAll(lr: tf.Tensor4D, lrFeat: tf.Tensor4D, z: tf.Tensor2D, stats?: { fMu: tf.Tensor4D; fSigma: tf.Tensor4D }): DecodeOutputs {
    return tf.tidy(() => {
      const [, h, w] = lrFeat.shape;
      const cR = this.condition(z, [h, w]);
      const { fMu, fSigma } = stats ? { fMu: tf.clone(stats.fMu), fSigma: tf.clone(stats.fSigma) } : this.lrStats(lrFeat);
      const fused = tf.add(tf.mul(cR, tf.add(fSigma, 1)), fMu) as tf.Tensor4D;
      const decoderOut = this.decoder.forward(fused) as tf.Tensor4D;
      const lrBicubic = this.upsampleLR(lr);
      if (decoderOut.shape[1] !== lrBicubic.shape[1] || decoderOut.shape[2] !== lrBicubic.shape[2])
        throw new Error(
          `RefVAE: decoder output [${decoderOut.shape}] does not match bicubic ×${this.scale} of the LR [${lrBicubic.shape}]; ` +
            `the LR feature must come from the encoder applied to bicubic ×${this.scale} of the LR, whose sides must be multiples of ${8 / this.scale}`,
        );
      const sr = tf.add(decoderOut, lrBicubic) as tf.Tensor4D;
      return { cR, fMu, fSigma, fused, decoderOut, lrBicubic, sr };
    });
  }

  /** SR image `[B, s·H, s·W, 3]` from the LR, its relu4_1 feature and z (official `forward(…, z_q)`). */
  decode(lr: tf.Tensor4D, lrFeat: tf.Tensor4D, z: tf.Tensor2D, stats?: { fMu: tf.Tensor4D; fSigma: tf.Tensor4D }): tf.Tensor4D {
    return tf.tidy(() => this.decodeAll(lr, lrFeat, z, stats).sr);
  }
}

/**
 * The scale recorded in a fixture/config constructor record: `{VAE_v3_8x: {up_factor: 8}}` → 8,
 * `{VAE_v3_4x: {…}}` → 4 (the class name fixes the bicubic skip; `up_factor` must agree).
 */
export function scaleFromConstructor(ctor: unknown): 4 | 8 {
  if (!ctor || typeof ctor !== 'object') throw new Error('RefVAE: no constructor record (expected {"VAE_v3_8x": {"up_factor": 8}})');
  for (const [name, args] of Object.entries(ctor as Record<string, unknown>)) {
    const m = /^VAE_v3_(\d+)x$/.exec(name);
    if (!m) continue;
    const s = Number(m[1]);
    const up = (args as { up_factor?: number } | null)?.up_factor;
    if (up !== undefined && up !== s) throw new Error(`RefVAE: ${name} with up_factor ${up} is inconsistent`);
    if (s !== 4 && s !== 8) throw new Error(`RefVAE: unsupported scale ${s} (VAE_v3_4x and VAE_v3_8x exist)`);
    return s;
  }
  throw new Error(`RefVAE: constructor record names no VAE_v3_<s>x class: ${JSON.stringify(ctor)}`);
}
