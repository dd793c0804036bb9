import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, InputError, StateDictMismatchError, type StateDictReport } from '../errors/index.js';
import { numel, toFloat32, toInt32, type StateDict, type TensorData } from '../io/tensor-data.js';

/**
 * How a parameter is laid out in PyTorch versus tfjs. Conversion happens only in
 * {@link Module.loadStateDict} and {@link Module.stateDict}.
 * - `plain`: same layout (biases, norms, embeddings, buffers).
 * - `conv2d`: PyTorch `[out, in/groups, kh, kw]` ↔ tfjs `[kh, kw, in/groups, out]`.
 * - `convTranspose2d`: PyTorch `[in, out/groups, kh, kw]` ↔ tfjs `[kh, kw, out/groups, in]`.
 * - `linear`: PyTorch `[out, in]` ↔ tfjs `[in, out]`.
 */
export type TorchLayout = 'plain' | 'conv2d' | 'convTranspose2d' | 'linear';

/** A named tensor owned by a module: a trainable parameter or a (non-trainable) buffer. */
export interface Parameter {
  /** The tfjs variable, in tfjs layout. */
  readonly variable: tf.Variable;
  /** Shape as PyTorch stores it (what checkpoints contain). */
  readonly torchShape: number[];
  readonly layout: TorchLayout;
  /** Trainable parameters are updated by optimizers; buffers are not. */
  readonly trainable: boolean;
  readonly dtype: 'float32' | 'int32';
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Throw {@link StateDictMismatchError} on missing, unexpected or mis-shaped keys (default true). */
  strict?: boolean;
  /** Strip this prefix from checkpoint keys first, e.g. `'generator.'` or `'module.'`. */
  stripPrefix?: string;
  /** Keys to ignore on both sides (official checkpoints sometimes carry unused tensors). */
  ignore?: (key: string) => boolean;
  /**
   * Accept NaN/±Inf values (default false: a tensor holding one throws a {@link CheckpointError}
   * `E_NON_FINITE` naming it, before any parameter is changed; such weights only give wrong images).
   */
  allowNonFinite?: boolean;
}

/** Index of the first NaN/±Inf in `f`, or -1 (one pass; `v - v` is NaN exactly for NaN and ±Inf). */
function firstNonFinite(f: Float32Array): number {
  for (let i = 0; i < f.length; i++) if (f[i]! - f[i]! !== 0) return i;
  return -1;
}

const PERM: Record<TorchLayout, number[] | null> = {
  plain: null,
  conv2d: [2, 3, 1, 0],
  convTranspose2d: [2, 3, 1, 0],
  linear: [1, 0],
};

function tfShape(torchShape: number[], layout: TorchLayout): number[] {
  const p = PERM[layout];
  return p ? p.map((i) => torchShape[i]) : torchShape.slice();
}

/** Reorders a row-major array with shape `shape` by permutation `perm` (plain JS, no tfjs). */
function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const out = new Float32Array(data.length);
  const nd = shape.length;
  const inStrides = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const outShape = perm.map((p) => shape[p]);
  const strideOfOut = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(nd).fill(0);
  for (let o = 0; o < out.length; o++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += idx[d] * strideOfOut[d];
    out[o] = data[off];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * Base class of every model part. A module owns named parameters and named child modules; the
 * dotted path of a parameter (`body.3.conv1.weight`) equals its PyTorch state-dict key, so official
 * checkpoints load unchanged. Subclasses register children with {@link Module.child} and parameters
 * with {@link Module.param} in their constructors and implement their own `forward`.
 */
export abstract class Module {
  private readonly childMap = new Map<string, Module>();
  private readonly paramMap = new Map<string, Parameter>();
  private wasDisposed = false;

  /** True once {@link Module.dispose} has run (on this module or an ancestor). */
  get isDisposed(): boolean {
    return this.wasDisposed;
  }

  /**
   * Throws an {@link InputError} `E_DISPOSED` once the module is disposed; public entry points call it
   * first, so use after `dispose()` fails with a clear message instead of tfjs's "Tensor is disposed".
   */
  assertNotDisposed(what = this.constructor.name): void {
    if (this.wasDisposed) throw new InputError(`${what} was used after dispose(); create a new one`, 'E_DISPOSED');
  }
  /** Training mode (affects BatchNorm, dropout-like behaviour). Set with {@link Module.train}. */
  training = false;

  /** Registers a child module under a PyTorch attribute name and returns it. */
  protected child<M extends Module>(name: string, module: M): M {
    if (this.childMap.has(name) || this.paramMap.has(name)) throw new Error(`duplicate module/parameter name '${name}'`);
    this.childMap.set(name, module);
    return module;
  }

  /**
   * Registers a parameter. `init` returns the initial value in tfjs layout (shape
   * `tfShape(torchShape, layout)`); it runs inside `tf.tidy`.
   */
  protected param(
    name: string,
    torchShape: number[],
    init: (shape: number[]) => tf.Tensor,
    layout: TorchLayout = 'plain',
    opts: { trainable?: boolean; dtype?: 'float32' | 'int32' } = {},
  ): tf.Variable {
    if (this.childMap.has(name) || this.paramMap.has(name)) throw new Error(`duplicate module/parameter name '${name}'`);
    const shape = tfShape(torchShape, layout);
    const trainable = opts.trainable ?? true;
    const dtype = opts.dtype ?? 'float32';
    const value = tf.tidy(() => init(shape));
    if (value.shape.join() !== shape.join()) throw new Error(`init of '${name}' gave shape [${value.shape}], expected [${shape}]`);
    const variable = tf.variable(value, trainable, undefined, dtype);
    value.dispose();
    this.paramMap.set(name, { variable, torchShape: torchShape.slice(), layout, trainable, dtype });
    return variable;
  }

  /** Registers a non-trainable buffer that is part of the state dict (e.g. BatchNorm running stats). */
  protected buffer(name: string, torchShape: number[], init: (shape: number[]) => tf.Tensor, dtype: 'float32' | 'int32' = 'float32'): tf.Variable {
    return this.param(name, torchShape, init, 'plain', { trainable: false, dtype });
  }

  /** Child modules in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.childMap.entries()];
  }

  /** All parameters and buffers with their dotted PyTorch names, in registration order. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [n, p] of this.paramMap) out.push([prefix + n, p]);
    for (const [n, c] of this.childMap) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** Trainable variables, to pass to a tfjs optimizer's `minimize(f, true, varList)`. */
  trainableVariables(): tf.Variable[] {
    return this.namedParameters()
      .filter(([, p]) => p.trainable)
      .map(([, p]) => p.variable);
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.namedParameters()
      .filter(([, p]) => p.trainable)
      .reduce((a, [, p]) => a + numel(p.torchShape), 0);
  }

  /** Sets training mode on this module and all descendants. Returns `this`. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.childMap.values()) c.train(mode);
    return this;
  }

  /** Inference mode; same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Exports the parameters in PyTorch layout and naming (float32/int64 as PyTorch would save them),
   * ready for `writeSafetensors` — the result loads into the official PyTorch model. Asynchronous
   * because GPU backends (WebGPU) can only read tensors back asynchronously.
   */
  async stateDict(): Promise<StateDict> {
    this.assertNotDisposed();
    const sd: StateDict = {};
    for (const [name, p] of this.namedParameters()) {
      const values = await p.variable.data();
      if (p.dtype === 'int32') {
        const big = new BigInt64Array(values.length);
        for (let i = 0; i < values.length; i++) big[i] = BigInt(values[i]);
        sd[name] = { dtype: 'int64', shape: p.torchShape.slice(), data: big };
        continue;
      }
      const perm = PERM[p.layout];
      const data = perm ? permute(values as Float32Array, p.variable.shape, inversePerm(perm)) : Float32Array.from(values);
      sd[name] = { dtype: 'float32', shape: p.torchShape.slice(), data };
    }
    return sd;
  }

  /**
   * Loads a PyTorch state dict (as returned by `readCheckpoint`), converting layouts. With
   * `strict` (default) any missing, unexpected or mis-shaped key throws
   * {@link StateDictMismatchError} naming the keys; otherwise the report is returned and matching
   * keys are loaded.
   */
  loadStateDict(stateDict: StateDict, opts: LoadStateDictOptions = {}): StateDictReport {
    this.assertNotDisposed();
    const strict = opts.strict ?? true;
    const ignore = opts.ignore ?? (() => false);
    const sd: StateDict = {};
    for (const [k, v] of Object.entries(stateDict)) {
      const key = opts.stripPrefix && k.startsWith(opts.stripPrefix) ? k.slice(opts.stripPrefix.length) : k;
      if (!ignore(key)) sd[key] = v;
    }
    const own = new Map(this.namedParameters().filter(([k]) => !ignore(k)));
    const report: StateDictReport = { missing: [], unexpected: [], shapeMismatch: [] };
    for (const k of own.keys()) if (!(k in sd)) report.missing.push(k);
    for (const k of Object.keys(sd)) if (!own.has(k)) report.unexpected.push(k);
    const ok: [Parameter, TensorData][] = [];
    for (const [k, p] of own) {
      const t = sd[k];
      if (!t) continue;
      const same = t.shape.length === p.torchShape.length && t.shape.every((d, i) => d === p.torchShape[i]);
      // PyTorch stores some scalars as 0-d or 1-element tensors interchangeably (PReLU slope, buffers).
      const scalarOk = numel(t.shape) === 1 && numel(p.torchShape) === 1;
      if (!same && !scalarOk) report.shapeMismatch.push({ key: k, expected: p.torchShape, got: t.shape });
      else if (t.data.length !== numel(t.shape))
        throw new CheckpointError(`tensor '${k}' has ${t.data.length} values for shape [${t.shape}]: the checkpoint is corrupted`);
      else ok.push([p, t]);
    }
    const bad = report.missing.length + report.unexpected.length + report.shapeMismatch.length;
    if (strict && bad) throw new StateDictMismatchError(report, this.constructor.name);
    // Convert and scan everything first, so a bad tensor leaves the module unchanged.
    const floats = new Map<Parameter, Float32Array>();
    for (const [p, t] of ok) {
      if (p.dtype === 'int32') continue;
      const f = toFloat32(t);
      const at = opts.allowNonFinite ? -1 : firstNonFinite(f);
      if (at >= 0) {
        const name = [...own].find(([, q]) => q === p)?.[0] ?? '?';
        throw new CheckpointError(
          `tensor '${name}' holds ${f[at]} at flat index ${at}: the weights are corrupt or diverged (pass { allowNonFinite: true } to load anyway)`,
          'E_NON_FINITE',
        );
      }
      floats.set(p, f);
    }
    for (const [p, t] of ok) {
      if (p.dtype === 'int32') {
        const value = tf.tensor(toInt32(t), p.variable.shape, 'int32');
        p.variable.assign(value);
        value.dispose();
        continue;
      }
      const perm = PERM[p.layout];
      const f = floats.get(p)!;
      const data = perm ? permute(f, p.torchShape, perm) : f;
      const value = tf.tensor(data, p.variable.shape, 'float32');
      p.variable.assign(value);
      value.dispose();
    }
    return report;
  }

  /** Releases every parameter of this module tree. The module must not be used afterwards. */
  dispose(): void {
    if (this.wasDisposed) return;
    for (const [, p] of this.namedParameters()) p.variable.dispose();
    const mark = (m: Module): void => {
      m.wasDisposed = true;
      for (const c of m.childMap.values()) mark(c);
    };
    mark(this);
  }
}

/** A module with a single-tensor forward; what {@link Sequential} chains. */
export interface Callable {
  /** Runs the module on an NHWC tensor (PyTorch's `forward`); the caller owns the returned tensor. */
  forward(x: tf.Tensor): tf.Tensor;
}

/** A list of children named `0`, `1`, … as in `nn.ModuleList`. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  constructor(items: M[] = []) {
    super();
    for (const m of items) this.push(m);
  }
  /** Appends a child under the next index name. */
  push(m: M): M {
    this.child(String(this.items.length), m);
    this.items.push(m);
    return m;
  }
  /** Number of children (`len(module_list)`). */
  get length(): number {
    return this.items.length;
  }
}

/**
 * `nn.Sequential`: children named by index (or explicitly, to leave gaps where PyTorch has
 * parameter-free layers such as ReLU), applied in order.
 */
export class Sequential extends Module implements Callable {
  readonly layers: (Module & Callable)[] = [];
  constructor(layers: (Module & Callable)[] = []) {
    super();
    layers.forEach((l, i) => this.add(String(i), l));
  }
  /** Adds a layer under an explicit PyTorch index name. */
  add(name: string, layer: Module & Callable): this {
    this.child(name, layer);
    this.layers.push(layer);
    return this;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layers.reduce((h, l) => l.forward(h), x));
  }
}

export type { StateDictReport };
