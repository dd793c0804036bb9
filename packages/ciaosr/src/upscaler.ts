import * as tf from '@tensorflow/tfjs-core';
import {
  InputError,
  assertOutputSize,
  imresize,
  ensureBackend,
  initBackend,
  roundHalfEven,
  sourceName,
  throwIfAborted,
  type Backbone,
  type BackendName,
  type StateDict,
} from '@sr/core';
import { createCiaoSRBackbone, type CiaoSRBackboneName, type BackboneOptions } from './backbones.js';
import { loadDefaultWeights, readWeightsWithConfig } from './default-weights.js';
import type { CiaoSRHeadOptions } from './head.js';
import { prepareInput, type UpscaleInput } from './input.js';
import { CiaoSR } from './model.js';
import type { TrainModelConfig } from './train.js';
import { runTiledCiaoSR, type TiledInferenceOptions } from './tiled-inference.js';
import { UpscaledImage } from './upscaled-image.js';

/**
 * Weights: a checkpoint (.pth as released, or .safetensors) as a Node path, a URL (a string URL in
 * browsers), bytes or a Blob; a state dict; or `'random'` (testing only).
 */
export type WeightsSource = string | URL | ArrayBuffer | Uint8Array | Blob | StateDict | 'random';

/** Options of {@link createUpscaler}. */
export interface CreateUpscalerOptions {
  /**
   * Default: the built-in `weights/default.safetensors` (see MODEL_CARD.md and {@link defaultWeightsUrl}).
   * Whatever the source, a configuration stored with the weights (safetensors `__metadata__.ciaosr_config`,
   * or a `ciaosr train` JSON sidecar in Node) builds the model.
   */
  weights?: WeightsSource;
  /** `'edsr-baseline'` (default) or your own {@link Backbone} (e.g. `backboneFromFunction`). */
  backbone?: CiaoSRBackboneName | Backbone;
  /** Sizes of a named backbone (feats, blocks). */
  backboneOptions?: BackboneOptions;
  /** Head options (hidden sizes); channels come from the backbone. */
  head?: Omit<CiaoSRHeadOptions, 'channels'>;
  /** tfjs backend to initialise first (default: keep the current one; `'auto'` when none is set up yet). */
  backend?: BackendName;
  /** Strict key matching when loading weights (default true). */
  strict?: boolean;
}

/** Options of {@link Upscaler.upscale}. */
export interface UpscaleOptions extends TiledInferenceOptions {
  /** Any real factor > 1 (e.g. 3.7, 12, 30), `[sy, sx]`, or an exact output size. */
  scale: number | [number, number] | { width: number; height: number };
  /**
   * Largest output `width × height` accepted (default `$SR_MAX_OUTPUT_PIXELS`, else 200 MP); larger
   * requests fail with `E_OUTPUT_TOO_LARGE` before any work.
   */
  maxOutputPixels?: number;
}

/** A loaded CiaoSR model ready to upscale images. */
export interface Upscaler {
  readonly model: CiaoSR;
  /** Upscales one image; the result must be disposed. */
  upscale(image: UpscaleInput, opts: UpscaleOptions): Promise<UpscaledImage>;
  /** Releases the model's weights. */
  dispose(): void;
}

/** Resolves the output size of an `h × w` input (Python `round(h·s)` as the official test). */
export function outputSize(h: number, w: number, scale: UpscaleOptions['scale']): [number, number] {
  if (scale == null) throw new InputError('scale is required, e.g. { scale: 3.7 } or { scale: { width: 800, height: 600 } }');
  if (typeof scale === 'object' && !Array.isArray(scale)) {
    const { width, height } = scale;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < w || height < h || (width === w && height === h))
      throw new InputError(`output size must be integers at least the input size ${w}×${h} and larger in one dimension, got ${width}×${height}`, 'E_SCALE');
    return [height, width];
  }
  const [sy, sx] = Array.isArray(scale) ? scale : [scale, scale];
  for (const s of [sy, sx])
    if (typeof s !== 'number' || !Number.isFinite(s) || !(s > 1))
      throw new InputError(`scale must be a finite number > 1 (e.g. 2, 3.7, 12), got ${String(s)}`, 'E_SCALE');
  return [roundHalfEven(h * sy), roundHalfEven(w * sx)];
}

/** What builds the model: weights and, when the weights store one, their configuration. */
interface ModelPlan {
  sd: StateDict | null;
  /** The stored configuration and where it came from (it then fixes backbone and head). */
  stored?: { config: TrainModelConfig; where: string };
}

async function planFromSource(src: WeightsSource): Promise<ModelPlan> {
  if (src === 'random') return { sd: null };
  if (typeof src === 'string' || src instanceof URL || src instanceof ArrayBuffer || src instanceof Uint8Array || (typeof Blob !== 'undefined' && src instanceof Blob)) {
    const w = await readWeightsWithConfig(src);
    return { sd: w.stateDict, stored: w.config ? { config: w.config, where: sourceName(src) } : undefined };
  }
  return { sd: src as StateDict };
}

async function planDefault(): Promise<ModelPlan> {
  const def = await loadDefaultWeights();
  return { sd: def.stateDict, stored: { config: def.config, where: `the built-in weights (${def.file})` } };
}

/**
 * The model: from the configuration stored with the weights when there is one (a conflicting backbone
 * or head option is then an error, never silently ignored), else from the options.
 */
function buildModel(plan: ModelPlan, opts: CreateUpscalerOptions): CiaoSR {
  const c = plan.stored?.config;
  if (c) {
    if ((opts.backbone !== undefined && opts.backbone !== c.backbone) || opts.backboneOptions || opts.head)
      throw new InputError(
        `${plan.stored!.where} fix the model (${c.backbone}, ${c.feats} feats, ${c.blocks} blocks, hidden [${c.hidden}]); ` +
          'backbone and head options apply only to weights that store no configuration',
      );
    const backbone = createCiaoSRBackbone(c.backbone, { feats: c.feats, blocks: c.blocks });
    return new CiaoSR(backbone, { hiddenList: c.hidden, channels: backbone.channels });
  }
  const bb = opts.backbone ?? 'edsr-baseline';
  const backbone = typeof bb === 'string' ? createCiaoSRBackbone(bb, opts.backboneOptions) : bb;
  return new CiaoSR(backbone, { ...opts.head, channels: backbone.channels });
}

/**
 * Creates a CiaoSR upscaler.
 * @example
 * const sr = await createUpscaler({ weights: 'ciaosr-edsr.pth' });
 * const out = await sr.upscale('photo.png', { scale: 3.7 });
 * fs.writeFileSync('photo_x3.7.png', await out.toPNG());
 * out.dispose();
 */
export async function createUpscaler(opts: CreateUpscalerOptions = {}): Promise<Upscaler> {
  if (opts.backend) await initBackend(opts.backend);
  else await ensureBackend();
  const plan = opts.weights === undefined ? await planDefault() : await planFromSource(opts.weights);
  const model = buildModel(plan, opts);
  try {
    if (plan.sd) model.loadWeights(plan.sd, { strict: opts.strict ?? true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    model,
    upscale: async (image, uopts) => {
      model.assertNotDisposed('this CiaoSR upscaler');
      return upscaleWith(model, image, uopts);
    },
    dispose: () => model.dispose(),
  };
}

/** Upscales with an existing model (what {@link Upscaler.upscale} calls). */
export async function upscaleWith(model: CiaoSR, image: UpscaleInput, opts: UpscaleOptions): Promise<UpscaledImage> {
  model.assertNotDisposed('this CiaoSR model');
  if (!opts || opts.scale === undefined) throw new InputError('upscale needs { scale }', 'E_SCALE');
  throwIfAborted(opts.signal);
  const { rgb, alpha } = await prepareInput(image);
  let lq: tf.Tensor4D | null = null;
  try {
    const [, h, w] = rgb.shape;
    const [H, W] = outputSize(h, w, opts.scale);
    assertOutputSize(W, H, `CiaoSR upscale of ${w}×${h}`, opts.maxOutputPixels);
    lq = model.normalize(rgb);
    const data = await runTiledCiaoSR(model, lq, H, W, opts);
    throwIfAborted(opts.signal);
    return new UpscaledImage(
      tf.tidy(() => {
        const color = tf.tensor3d(data, [H, W, 3]);
        if (!alpha) return color;
        // Alpha is not super-resolved: MATLAB-style bicubic, clamped to [0, 1].
        const a = tf.clipByValue(imresize(alpha, { height: H, width: W }), 0, 1);
        return tf.concat([color, tf.reshape(a, [H, W, 1])], 2) as tf.Tensor3D;
      }),
    );
  } finally {
    tf.dispose([rgb, ...(alpha ? [alpha] : []), ...(lq ? [lq] : [])]);
  }
}
