import * as tf from '@tensorflow/tfjs-core';
import {
  InputError,
  assertOutputSize,
  imresize,
  initBackend,
  readCheckpoint,
  throwIfAborted,
  type Backbone,
  type BackendName,
  type StateDict,
} from '@sr/core';
import { createCiaoSRBackbone, type CiaoSRBackboneName, type BackboneOptions } from './backbones.js';
import { loadDefaultWeights } from './default-weights.js';
import { roundHalfEven } from './geometry.js';
import type { CiaoSRHeadOptions } from './head.js';
import { prepareInput, type UpscaleInput } from './input.js';
import { CiaoSR } from './model.js';
import { runTiledCiaoSR, type TiledInferenceOptions } from './tiled-inference.js';
import { UpscaledImage } from './upscaled-image.js';

/** Weights: a checkpoint path/URL/bytes (.pth as released or .safetensors), a state dict, or `'random'` (testing only). */
export type WeightsSource = string | URL | ArrayBuffer | Uint8Array | StateDict | 'random';

/** Options of {@link createUpscaler}. */
export interface CreateUpscalerOptions {
  /** Default: the built-in `weights/default.safetensors` with its stored configuration (see MODEL_CARD.md) when installed, else an error. */
  weights?: WeightsSource;
  /** `'edsr-baseline'` (default) or your own {@link Backbone} (e.g. `backboneFromFunction`). */
  backbone?: CiaoSRBackboneName | Backbone;
  /** Sizes of a named backbone (feats, blocks). */
  backboneOptions?: BackboneOptions;
  /** Head options (hidden sizes); channels come from the backbone. */
  head?: Omit<CiaoSRHeadOptions, 'channels'>;
  /** tfjs backend to initialise first (default: keep the current one). */
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

async function resolveWeights(src: WeightsSource): Promise<StateDict | null> {
  if (src === 'random') return null;
  if (typeof src === 'string' || src instanceof URL || src instanceof ArrayBuffer || src instanceof Uint8Array) return readCheckpoint(src);
  return src;
}

/**
 * With no `weights`, the built-in weights and the configuration stored with them define the model
 * (never assumed); a conflicting backbone or head option is an error.
 */
async function defaultModel(opts: CreateUpscalerOptions): Promise<{ sd: StateDict; backbone: Backbone; head: Omit<CiaoSRHeadOptions, 'channels'> }> {
  const def = await loadDefaultWeights();
  const c = def.config;
  if ((opts.backbone !== undefined && opts.backbone !== c.backbone) || opts.backboneOptions || opts.head)
    throw new InputError(
      `the built-in weights (${def.file}) fix the model (${c.backbone}, ${c.feats} feats, ${c.blocks} blocks, hidden [${c.hidden}]); ` +
        'pass your own { weights } to choose backbone or head options',
    );
  return { sd: def.stateDict, backbone: createCiaoSRBackbone(c.backbone, { feats: c.feats, blocks: c.blocks }), head: { hiddenList: c.hidden } };
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
  const def = opts.weights === undefined ? await defaultModel(opts) : null;
  const sd = def ? def.sd : await resolveWeights(opts.weights!);
  const bb = opts.backbone ?? 'edsr-baseline';
  const backbone = def ? def.backbone : typeof bb === 'string' ? createCiaoSRBackbone(bb, opts.backboneOptions) : bb;
  const model = new CiaoSR(backbone, { ...(def ? def.head : opts.head), channels: backbone.channels });
  try {
    if (sd) model.loadWeights(sd, { strict: opts.strict ?? true });
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
