import * as tf from '@tensorflow/tfjs-core';
import { InputError, assertGradients } from '@sr/core';
import type { Encoder4, Encoder4Feature } from './encoder.js';
import { LATENT_DIM, type RefVAENet } from './cvae.js';
import { PatchDiscriminator } from './discriminator.js';
import { bicubicScale, l1, multiScaleL1, styleLoss, tvLoss, type PerceptualLoss, type Reduction } from './losses.js';
import { seededRng, type SampleRng } from './rng.js';

/**
 * Loss weights. Paper (§4.1): content 1, style 10, LPIPS 1, TV 1, KL 1 (+ adversarial, weight not
 * given: 1 here). Official `main_GAN.py`: 100·LR-L1 + 1·multi-scale SR-L1 + 0.01·GAN feature
 * matching + 1·GAN + 0.01·content + 10·style + 1·KL + 10⁴·LPIPS, no TV.
 */
export interface LossWeights {
  /** Paper eq. 6: VGG relu4_1 L1 + pixel L1 + L1 of bicubic-downscaled images. Official: relu4_1 L1 only. */
  content: number;
  style: number;
  lpips: number;
  tv: number;
  kl: number;
  adversarial: number;
  /** Official only: L1 between discriminator features of SR and HR. */
  featureMatching: number;
  /** Official only: L1 between bicubic ↓s(SR) and the LR. */
  lrConsistency: number;
  /** Official only: L1 at full, ½, ¼ resolution. */
  pixel: number;
}

/** The two training recipes. */
export type LossPreset = 'paper' | 'official';

/** Paper §4.1 weights (defaults). */
export const PAPER_WEIGHTS: LossWeights = { content: 1, style: 10, lpips: 1, tv: 1, kl: 1, adversarial: 1, featureMatching: 0, lrConsistency: 0, pixel: 0 };
/** Official `main_GAN.py` weights. */
export const OFFICIAL_WEIGHTS: LossWeights = { content: 0.01, style: 10, lpips: 1e4, tv: 0, kl: 1, adversarial: 1, featureMatching: 0.01, lrConsistency: 100, pixel: 1 };

/** Options of {@link RefVAETrainer}. */
export interface RefVAETrainerOptions {
  /**
   * `'paper'` (default): the CVAE encodes the *reference*, style is matched to the reference at
   * relu1_2/2_2/3_4/4_1, mean-reduced L1s, TV on. `'official'`: the CVAE encodes the *HR target*
   * (`G(input, LR_feat, tar_feat)`), style matched to the HR at relu1_1/2_1/3_1/4_1, summed L1s.
   */
  preset?: LossPreset;
  /** Overrides of the preset's weights. */
  weights?: Partial<LossWeights>;
  /** LPIPS (or any perceptual distance) — e.g. `lpipsLoss(await createLpips(…))` from `@sr/metrics`. Skipped when absent. */
  perceptual?: PerceptualLoss;
  /** TV exponent β (paper eq. 8; not given there). Default 1. */
  tvBeta?: number;
  /** Adam learning rate (paper and code: 1e-4). */
  learningRate?: number;
  /** Train a discriminator (default true; false drops the adversarial and feature-matching terms). */
  adversarial?: boolean;
  /** Seed of ε and of the noisy discriminator labels. */
  seed?: number;
}

/** One training example batch: NHWC in [0,1]; `hr` is `s×` the `lr`. `ref` defaults to `hr`. */
export interface TrainBatch {
  lr: tf.Tensor4D;
  hr: tf.Tensor4D;
  ref?: tf.Tensor4D;
}

/** Losses of one {@link RefVAETrainer.step} (plain numbers). */
export interface StepResult {
  /** Weighted generator loss that was minimised. */
  total: number;
  /** Unweighted terms. */
  terms: Record<string, number>;
  /** Discriminator loss (NaN without a discriminator). */
  discriminator: number;
}

const STYLE_LAYERS: Record<LossPreset, Encoder4Feature[]> = { paper: ['r12', 'r22', 'r34', 'r41'], official: ['r11', 'r21', 'r31', 'r41'] };

/**
 * Generator/discriminator training of RefVAE. The frozen normalised VGG19 (`encoder4`) doubles as
 * the loss network (its r11…r41 taps are VGG19's relu layers; the official code uses torchvision's
 * ImageNet VGG19 instead, which is not available here). Only the CVAE/decoder (and the discriminator)
 * are updated; nothing is kept between steps except the optimiser state.
 */
export class RefVAETrainer {
  readonly preset: LossPreset;
  readonly weights: LossWeights;
  readonly discriminator: PatchDiscriminator | null;
  private readonly gOpt: tf.AdamOptimizer;
  private readonly dOpt: tf.AdamOptimizer | null;
  private readonly rng: SampleRng;
  private readonly reduction: Reduction;

  constructor(
    readonly encoder: Encoder4,
    readonly net: RefVAENet,
    readonly opts: RefVAETrainerOptions = {},
  ) {
    this.preset = opts.preset ?? 'paper';
    this.weights = { ...(this.preset === 'paper' ? PAPER_WEIGHTS : OFFICIAL_WEIGHTS), ...opts.weights };
    this.reduction = this.preset === 'paper' ? 'mean' : 'sum';
    const lr = opts.learningRate ?? 1e-4;
    this.gOpt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
    const adv = opts.adversarial ?? true;
    this.discriminator = adv ? new PatchDiscriminator(3, 32, opts.seed) : null;
    this.dOpt = adv ? tf.train.adam(lr, 0.9, 0.999, 1e-8) : null;
    this.rng = seededRng(opts.seed ?? 0);
    net.train(true);
    encoder.eval();
  }

  private check(b: TrainBatch): void {
    const s = this.net.scale;
    if (b.hr.shape[1] !== b.lr.shape[1] * s || b.hr.shape[2] !== b.lr.shape[2] * s)
      throw new InputError(`training batch: hr [${b.hr.shape}] must be ${s}× lr [${b.lr.shape}]`, 'E_SHAPE');
    if (b.hr.shape[1] % 32 || b.hr.shape[2] % 32) throw new InputError(`training batch: HR sides must be multiples of 32, got [${b.hr.shape}]`, 'E_SHAPE');
  }

  /**
   * One generator step then one discriminator step (official order). Async because losses are read
   * back with `await data()` (synchronous reads are impossible on WebGPU in Node).
   */
  async step(batch: TrainBatch): Promise<StepResult> {
    assertGradients();
    this.check(batch);
    const { lr, hr } = batch;
    const w = this.weights;
    const red = this.reduction;
    const styleLayers = STYLE_LAYERS[this.preset];
    const terms: Record<string, number> = {};
    const termTensors: Record<string, tf.Tensor> = {};
    // Inputs of the generator that do not depend on its parameters (frozen encoder, fixed images).
    const fixed = tf.tidy(() => {
      const lrFeat = this.encoder.forward(this.net.upsampleLR(lr), ['r41']).r41!;
      const cond = this.preset === 'official' ? hr : (batch.ref ?? hr);
      const condFeat = this.encoder.forward(cond, ['r41']).r41!;
      const hrFeat = this.encoder.forward(hr, ['r41', ...styleLayers]);
      const styleRef = this.preset === 'official' ? hrFeat : this.encoder.forward(batch.ref ?? hr, styleLayers);
      const eps = tf.tensor2d(this.rng.normals(lr.shape[0] * LATENT_DIM), [lr.shape[0], LATENT_DIM]);
      return { lrFeat, condFeat, hrR41: hrFeat.r41!, style: styleLayers.map((k) => styleRef[k]!), eps };
    });
    const D = this.discriminator;
    const dReal = D ? D.forward(hr) : null;
    let srKept: tf.Tensor4D | null = null;
    const record = (name: string, t: tf.Scalar, weight: number, acc: tf.Scalar[]) => {
      if (weight === 0) return;
      termTensors[name] = tf.keep(tf.clone(t));
      acc.push(tf.mul(t, weight) as tf.Scalar);
    };
    try {
      const gVars = this.net.trainableVariables();
      const total = this.gOpt.minimize(
        () => {
          const acc: tf.Scalar[] = [];
          const { mu, logvar } = this.net.encode(fixed.condFeat);
          const z = this.net.reparameterize(mu, logvar, fixed.eps);
          const sr = this.net.decode(lr, fixed.lrFeat, z);
          srKept = tf.keep(tf.clone(sr));
          const srFeat = this.encoder.forward(sr, ['r41', ...styleLayers]);
          record('kl', this.net.kl(mu, logvar), w.kl, acc);
          const featL1 = l1(srFeat.r41!, fixed.hrR41, red);
          if (this.preset === 'paper')
            record('content', tf.addN([featL1, l1(sr, hr, red), l1(bicubicScale(sr, 1 / this.net.scale), bicubicScale(hr, 1 / this.net.scale), red)]) as tf.Scalar, w.content, acc);
          else record('content', featL1, w.content, acc);
          record('style', styleLoss(styleLayers.map((k) => srFeat[k]!), fixed.style, red), w.style, acc);
          record('tv', tvLoss(sr, this.opts.tvBeta ?? 1, red), w.tv, acc);
          record('pixel', multiScaleL1(sr, hr, red), w.pixel, acc);
          record('lrConsistency', l1(bicubicScale(sr, 1 / this.net.scale), lr, red), w.lrConsistency, acc);
          if (this.opts.perceptual) record('lpips', this.opts.perceptual(sr, hr), w.lpips, acc);
          if (D && dReal) {
            const fake = D.forward(sr);
            record('adversarial', l1(fake.prob, tf.onesLike(fake.prob), red), w.adversarial, acc);
            record('featureMatching', l1(fake.feat, dReal.feat, red), w.featureMatching, acc);
          }
          if (!acc.length) throw new InputError('RefVAETrainer: every loss weight is zero');
          return tf.addN(acc) as tf.Scalar;
        },
        true,
        gVars,
      );
      const totalValue = (await total!.data())[0];
      total!.dispose();
      for (const [k, t] of Object.entries(termTensors)) terms[k] = (await t.data())[0];
      let dValue = NaN;
      if (D && this.dOpt && srKept) {
        const fakeImg: tf.Tensor4D = srKept;
        // Noisy labels as main_GAN.py: real ~ U(0.7, 1.2), fake ~ U(0, 0.3), one draw per step.
        const realLabel = 0.7 + 0.5 * this.rng.uniform();
        const fakeLabel = 0.3 * this.rng.uniform();
        const dLoss = this.dOpt.minimize(
          () => {
            const pr = D.forward(hr).prob;
            const pf = D.forward(fakeImg).prob;
            return tf.div(tf.add(l1(pr, tf.fill(pr.shape, realLabel), red), l1(pf, tf.fill(pf.shape, fakeLabel), red)), 2) as tf.Scalar;
          },
          true,
          D.trainableVariables(),
        );
        dValue = (await dLoss!.data())[0];
        dLoss!.dispose();
      }
      return { total: totalValue, terms, discriminator: dValue };
    } finally {
      tf.dispose([fixed.lrFeat, fixed.condFeat, fixed.hrR41, ...fixed.style, fixed.eps, ...Object.values(termTensors)]);
      if (dReal) tf.dispose([dReal.feat, dReal.prob]);
      if (srKept) (srKept as tf.Tensor).dispose();
    }
  }

  /** Frees the optimiser state and the discriminator (the model itself belongs to the caller). */
  dispose(): void {
    this.gOpt.dispose();
    this.dOpt?.dispose();
    this.discriminator?.dispose();
    this.net.eval();
  }
}
