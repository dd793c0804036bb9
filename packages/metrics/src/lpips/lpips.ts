/**
 * LPIPS v0.1 (Zhang et al., CVPR 2018; richzhang/PerceptualSimilarity `lpips/lpips.py`): learned
 * perceptual distance = Σ_layers spatial-mean( lin_k( (f̂0_k − f̂1_k)² ) ), f̂ = channel-unit-normalised
 * backbone activations. Weights are never downloaded: pass the torchvision backbone and LPIPS lin files.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  Conv2d, InputError, interpolate, Module, readCheckpoint, Sequential,
  type CheckpointSource, type StateDict,
} from '@sr/core';
import { assertSameShape, toPixels, type InputOptions, type MetricInput, type Pixels } from '../input.js';
import { AlexNetFeatures, SqueezeNetFeatures, Vgg16Features, type LpipsBackbone } from './networks.js';

/** Backbones LPIPS v0.1 ships lin weights for. */
export type LpipsNet = 'alex' | 'squeeze' | 'vgg';

/** A checkpoint file (path, URL, bytes, Blob) or an already read state dict. */
export type WeightsSource = CheckpointSource | StateDict;

/** Options of {@link createLpips}. */
export interface CreateLpipsOptions {
  /** Default 'alex' (the LPIPS default and the NTIRE 2021 scorer's). */
  net?: LpipsNet;
  /** torchvision `features` weights (`features.N.weight`; a full torchvision checkpoint works too). */
  backboneWeights?: WeightsSource;
  /** LPIPS v0.1 lin weights (`lin{k}.model.1.weight`), e.g. `lpips/weights/v0.1/alex.pth`. */
  linWeights?: WeightsSource;
  /** Allow missing weights and keep random ones (structure tests only: the numbers mean nothing). */
  randomWeights?: boolean;
}

/**
 * `lin{k}`: Dropout (index 0, inactive in eval) then a bias-free 1×1 conv C→1 (index 1). Only the conv
 * is kept, under the official key `model.1.weight`, so the `.pth` loads unchanged; dropout is omitted
 * because LPIPS only runs as a frozen eval-mode network here (also when used as a training loss).
 */
export class NetLinLayer extends Module {
  /** The official `nn.Sequential` (only its index-1 conv is present). */
  readonly model: Sequential;
  constructor(channels: number) {
    super();
    this.model = this.child('model', new Sequential().add('1', new Conv2d(channels, 1, 1, { bias: false })));
  }
  /** Weighted channel sum: squared differences of unit-normalised features `[B, H, W, C]` → `[B, H, W, 1]`. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return (this.model.layers[0] as Conv2d).forward(x);
  }
}

/** The LPIPS lin layers `lin0 … lin{L−1}` (keys as in the official `.pth`). */
export class LpipsLins extends Module {
  readonly lins: NetLinLayer[];
  constructor(channels: readonly number[]) {
    super();
    this.lins = channels.map((c, k) => this.child(`lin${k}`, new NetLinLayer(c)));
  }
}

/** Tensor outputs of {@link Lpips.forward} (the caller disposes them). */
export interface LpipsOutput {
  /** `[N]` distances. */
  value: tf.Tensor1D;
  /** Per-layer `[N]` contributions (spatial means of each lin map); they sum to `value`. */
  perLayer: tf.Tensor1D[];
  /** `[N, H, W, 1]` spatial map (with `spatial: true`): lin maps upsampled bilinearly to H×W, summed. */
  map?: tf.Tensor4D;
}

/** A spatial LPIPS map (`distance(..., {spatial: true})`). */
export interface LpipsMap {
  data: Float32Array;
  height: number;
  width: number;
  /** Mean of the map (close to, not equal to, the scalar LPIPS because of the upsampling). */
  mean: number;
}

// ScalingLayer of v0.1: (x − shift)/scale = ImageNet normalisation of (x+1)/2.
const SHIFT = [-0.03, -0.088, -0.188];
const SCALE = [0.458, 0.448, 0.45];
const EPS = 1e-10;

/** Pixels on the 0–255 scale → `[1,H,W,3]` in [−1,1] as `lpips.im2tensor`: `v/127.5 − 1` (float64, then float32). */
export function pixelsToLpipsInput(p: Pixels): tf.Tensor4D {
  if (p.channels !== 3) throw new InputError(`LPIPS needs RGB images, got ${p.channels} channel(s)`, 'E_CHANNELS');
  const out = new Float32Array(p.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = p.data[i]!;
    if (v !== v) throw new InputError(`LPIPS: NaN in input (index ${i})`, 'E_NAN');
    out[i] = v / 127.5 - 1;
  }
  return tf.tensor4d(out, [1, p.height, p.width, 3]);
}

/** A loaded LPIPS model. Create with {@link createLpips}; call {@link Lpips.dispose} when done. */
export class Lpips {
  constructor(
    readonly net: LpipsNet,
    readonly backbone: LpipsBackbone,
    readonly lins: LpipsLins,
  ) {}

  /** Number of tapped layers (alex/vgg 5, squeeze 7). */
  get numLayers(): number {
    return this.backbone.channels.length;
  }

  /** Scaling layer → backbone taps → channel-unit normalisation `f / (‖f‖₂ + 1e-10)`. Input NHWC in [−1,1]. */
  features(x: tf.Tensor4D): tf.Tensor4D[] {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new InputError(`LPIPS expects NHWC RGB input, got [${x.shape}]`, 'E_CHANNELS');
    return tf.tidy(() => {
      const scaled = tf.div(tf.sub(x, tf.tensor1d(SHIFT)), tf.tensor1d(SCALE)) as tf.Tensor4D;
      return this.backbone.taps(scaled).map((f) => tf.div(f, tf.add(tf.sqrt(tf.sum(tf.square(f), 3, true)), EPS)) as tf.Tensor4D);
    });
  }

  /**
   * Distances between precomputed {@link features} (batch sizes broadcast, e.g. one reference against N
   * samples). `size` = input H×W, needed for the spatial map.
   */
  compare(f0: tf.Tensor4D[], f1: tf.Tensor4D[], opts: { spatial?: boolean; size?: [number, number] } = {}): LpipsOutput {
    return tf.tidy(() => {
      const maps = f0.map((a, k) => this.lins.lins[k]!.forward(tf.square(tf.sub(a, f1[k]!)) as tf.Tensor4D));
      const perLayer = maps.map((m) => tf.mean(m, [1, 2, 3]) as tf.Tensor1D);
      const value = tf.addN(perLayer) as tf.Tensor1D;
      if (!opts.spatial) return { value, perLayer };
      if (!opts.size) throw new InputError('LPIPS: the spatial map needs the input size');
      // Official: nn.Upsample(size=HW, mode='bilinear', align_corners=False) of each lin map, then sum.
      const ups = maps.map((m) => interpolate(m, { size: opts.size!, mode: 'bilinear' }));
      const map = ups.length === 1 ? ups[0]! : (tf.addN(ups) as tf.Tensor4D);
      return { value, perLayer, map };
    });
  }

  /**
   * Tensor API (for losses): NHWC inputs in [−1,1] (`normalize: true` maps [0,1] → [−1,1], as the
   * official `normalize=True`). Returns tensors the caller disposes.
   */
  forward(x0: tf.Tensor4D, x1: tf.Tensor4D, opts: { spatial?: boolean; normalize?: boolean } = {}): LpipsOutput {
    if (x0.shape.slice(1).join() !== x1.shape.slice(1).join())
      throw new InputError(`LPIPS: inputs differ in size ([${x0.shape}] vs [${x1.shape}])`, 'E_SHAPE');
    return tf.tidy((): tf.TensorContainer => {
      const prep = (x: tf.Tensor4D) => (opts.normalize ? (tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D) : x);
      const f0 = this.features(prep(x0));
      const f1 = this.features(prep(x1));
      return this.compare(f0, f1, { spatial: opts.spatial, size: [x0.shape[1], x0.shape[2]] }) as unknown as tf.TensorContainer;
    }) as unknown as LpipsOutput;
  }

  /** LPIPS distance between two images (any {@link MetricInput}; tensors in [0,1] unless `range: 255`). */
  distance(a: MetricInput, b: MetricInput, opts?: InputOptions & { spatial?: false }): Promise<number>;
  /** The spatial LPIPS map. */
  distance(a: MetricInput, b: MetricInput, opts: InputOptions & { spatial: true }): Promise<LpipsMap>;
  async distance(a: MetricInput, b: MetricInput, opts: InputOptions & { spatial?: boolean } = {}): Promise<number | LpipsMap> {
    const r = await this.evaluate(a, b, opts);
    return opts.spatial ? r.map! : r.value;
  }

  /** Per-layer contributions (they sum to the distance). */
  async perLayer(a: MetricInput, b: MetricInput, opts: InputOptions = {}): Promise<number[]> {
    return (await this.evaluate(a, b, opts)).perLayer;
  }

  private async evaluate(a: MetricInput, b: MetricInput, opts: InputOptions & { spatial?: boolean }) {
    const pa = await toPixels(a, opts, 'lpips (first image)');
    const pb = await toPixels(b, opts, 'lpips (second image)');
    assertSameShape(pa, pb, 'lpips');
    const x0 = pixelsToLpipsInput(pa);
    // Identical images share one feature pass, so the distance is exactly 0 on every backend
    // (two separate GPU passes may differ in the last bits).
    const same = pa.data.every((v, i) => v === pb.data[i]);
    const x1 = same ? x0 : pixelsToLpipsInput(pb);
    const out = tf.tidy((): tf.TensorContainer => {
      const f0 = this.features(x0);
      const f1 = same ? f0 : this.features(x1);
      return this.compare(f0, f1, { spatial: opts.spatial, size: [pa.height, pa.width] }) as unknown as tf.TensorContainer;
    }) as unknown as LpipsOutput;
    try {
      const value = (await out.value.data())[0]!;
      const perLayer = await Promise.all(out.perLayer.map(async (t) => (await t.data())[0]!));
      let map: LpipsMap | undefined;
      if (out.map) {
        const data = (await out.map.data()) as Float32Array;
        let s = 0;
        for (let i = 0; i < data.length; i++) s += data[i]!;
        map = { data, height: pa.height, width: pa.width, mean: s / data.length };
      }
      return { value, perLayer, map };
    } finally {
      tf.dispose([x0, ...(same ? [] : [x1]), out.value, ...out.perLayer, ...(out.map ? [out.map] : [])]);
    }
  }

  /** Releases all weights. */
  dispose(): void {
    this.backbone.dispose();
    this.lins.dispose();
  }
}

function isStateDictObject(x: unknown): x is StateDict {
  if (!x || typeof x !== 'object' || x instanceof ArrayBuffer || ArrayBuffer.isView(x) || x instanceof URL) return false;
  if (typeof Blob !== 'undefined' && x instanceof Blob) return false;
  return Object.values(x).every((v) => v && typeof v === 'object' && 'shape' in v && 'data' in v);
}

async function loadWeights(src: WeightsSource): Promise<StateDict> {
  return isStateDictObject(src) ? src : readCheckpoint(src as CheckpointSource);
}

const BACKBONES: Record<LpipsNet, () => LpipsBackbone> = {
  alex: () => new AlexNetFeatures(),
  squeeze: () => new SqueezeNetFeatures(),
  vgg: () => new Vgg16Features(),
};

/**
 * Builds LPIPS v0.1 for `net` and loads its weights: the torchvision backbone (`features.N.*`; keys
 * without the `features.` prefix and full torchvision checkpoints with `classifier.*` are accepted)
 * and the LPIPS lin layers. Mismatched files throw `StateDictMismatchError` naming the keys.
 */
export async function createLpips(opts: CreateLpipsOptions = {}): Promise<Lpips> {
  const net = opts.net ?? 'alex';
  const make = BACKBONES[net];
  if (!make) throw new InputError(`unknown LPIPS net '${net as string}' (alex, squeeze or vgg)`);
  if (!opts.randomWeights && (!opts.backboneWeights || !opts.linWeights))
    throw new InputError(
      `createLpips('${net}') needs backboneWeights (torchvision ${net === 'alex' ? 'alexnet' : net === 'squeeze' ? 'squeezenet1_1' : 'vgg16'} features .pth) ` +
        `and linWeights (LPIPS v0.1 ${net}.pth); weights are never downloaded`,
      'E_WEIGHTS',
    );
  const backbone = make();
  const lins = new LpipsLins(backbone.channels);
  try {
    if (opts.backboneWeights) {
      let sd = await loadWeights(opts.backboneWeights);
      if (!Object.keys(sd).some((k) => k.startsWith('features.')))
        sd = Object.fromEntries(Object.entries(sd).map(([k, v]) => [`features.${k}`, v]));
      backbone.loadStateDict(sd, { ignore: (k) => k.startsWith('classifier.') });
    }
    if (opts.linWeights) lins.loadStateDict(await loadWeights(opts.linWeights));
  } catch (e) {
    backbone.dispose();
    lins.dispose();
    throw e;
  }
  return new Lpips(net, backbone, lins);
}
