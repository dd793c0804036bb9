import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { Module, type Callable } from './module.js';
import { torchDefaultUniform } from './init.js';
import type { Size2 } from './conv.js';

const pair = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Options of {@link ConvTranspose2d} / {@link convTranspose2d}; names and defaults follow PyTorch. */
export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Crops `padding` rows/cols from each side of the full transposed-convolution output. */
  padding?: Size2;
  /** Extra rows/cols on the bottom/right (must be smaller than stride or dilation). */
  outputPadding?: Size2;
  dilation?: Size2;
  groups?: number;
}

/**
 * Inserts `d − 1` zeros between kernel taps: `[kh, kw, o, i]` → `[d(kh−1)+1, d(kw−1)+1, o, i]`.
 * One axis at a time with rank ≤ 4 ops (the WebGPU backend's pad shader fails on rank 6).
 */
function dilateKernel(w: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  if (d[0] === 1 && d[1] === 1) return w;
  const [kh, kw, o, i] = w.shape;
  const a = tf.pad(tf.reshape(w, [kh, 1, kw * o * i]), [
    [0, 0],
    [0, d[0] - 1],
    [0, 0],
  ]);
  const kH = d[0] * (kh - 1) + 1;
  const rows = tf.slice(tf.reshape(a, [kh * d[0], kw * o * i]), [0, 0], [kH, kw * o * i]);
  const b = tf.pad(tf.reshape(rows, [kH, kw, 1, o * i]), [
    [0, 0],
    [0, 0],
    [0, d[1] - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(b, [kH, kw * d[1], o, i]), [0, 0, 0, 0], [kH, d[1] * (kw - 1) + 1, o, i]) as tf.Tensor4D;
}

/**
 * `torch.nn.functional.conv_transpose2d` on NHWC with a tfjs-layout weight `[kh, kw, out/groups, in]`
 * (PyTorch's `[in, out/groups, kh, kw]` permuted; {@link Module.loadStateDict} does that). The full
 * ('valid') transposed convolution of size `(H−1)·s + d(k−1) + 1` is computed with
 * `tf.conv2dTranspose`, then `padding` is cropped from both sides and `outputPadding` zero rows are
 * added at the bottom/right, giving PyTorch's `(H−1)·s − 2p + d(k−1) + op + 1`.
 */
export function convTranspose2d(x: tf.Tensor4D, weight: tf.Tensor4D, opts: ConvTranspose2dOptions = {}, bias?: tf.Tensor | null): tf.Tensor4D {
  const s = pair(opts.stride ?? 1);
  const p = pair(opts.padding ?? 0);
  const op = pair(opts.outputPadding ?? 0);
  const d = pair(opts.dilation ?? 1);
  const groups = opts.groups ?? 1;
  const [kh, kw, outPerGroup, inC] = weight.shape;
  if (x.rank !== 4 || x.shape[3] !== inC) throw new InputError(`convTranspose2d expects NHWC input with ${inC} channels, got [${x.shape}]`);
  if (inC % groups) throw new InputError(`convTranspose2d: ${inC} input channels are not divisible by groups ${groups}`);
  for (let a = 0; a < 2; a++)
    if (op[a] >= Math.max(s[a], d[a])) throw new InputError(`convTranspose2d: output_padding ${op[a]} must be smaller than stride or dilation`);
  const [n, h, w] = x.shape;
  const k = [d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1];
  const full = [(h - 1) * s[0] + k[0], (w - 1) * s[1] + k[1]];
  const out = [full[0] - 2 * p[0] + op[0], full[1] - 2 * p[1] + op[1]];
  if (out[0] < 1 || out[1] < 1) throw new InputError(`convTranspose2d: output size [${out}] is empty`);
  return tf.tidy(() => {
    const wd = dilateKernel(weight, d);
    const xs = groups === 1 ? [x] : tf.split(x, groups, 3);
    const ws = groups === 1 ? [wd] : tf.split(wd, groups, 3);
    const parts = xs.map((xi, g) =>
      tf.conv2dTranspose(xi as tf.Tensor4D, ws[g] as tf.Tensor4D, [n, full[0], full[1], outPerGroup], s, 'valid'),
    );
    let y = parts.length === 1 ? parts[0] : (tf.concat(parts, 3) as tf.Tensor4D);
    const extra = [Math.max(0, p[0] + out[0] - full[0]), Math.max(0, p[1] + out[1] - full[1])];
    if (extra[0] || extra[1])
      y = tf.pad(y, [
        [0, 0],
        [0, extra[0]],
        [0, extra[1]],
        [0, 0],
      ]);
    y = tf.slice(y, [0, p[0], p[1], 0], [n, out[0], out[1], outPerGroup * groups]);
    return bias ? (tf.add(y, bias) as tf.Tensor4D) : y;
  });
}

/**
 * `torch.nn.ConvTranspose2d` on NHWC. Parameters: `weight` (PyTorch `[in, out/groups, kh, kw]`,
 * stored as tfjs `[kh, kw, out/groups, in]`, layout `'convTranspose2d'`) and optional `bias`.
 * PyTorch's default init uses fan-in = `weight.size(1)·kh·kw` = `(out/groups)·kh·kw`.
 */
export class ConvTranspose2d extends Module implements Callable {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly options: Required<Omit<ConvTranspose2dOptions, 'groups'>> & { groups: number };

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    opts: ConvTranspose2dOptions & { bias?: boolean } = {},
  ) {
    super();
    const [kh, kw] = pair(kernelSize);
    const groups = opts.groups ?? 1;
    if (inChannels % groups || outChannels % groups)
      throw new InputError(`ConvTranspose2d: channels ${inChannels}→${outChannels} not divisible by groups ${groups}`);
    this.options = {
      stride: opts.stride ?? 1,
      padding: opts.padding ?? 0,
      outputPadding: opts.outputPadding ?? 0,
      dilation: opts.dilation ?? 1,
      groups,
    };
    const fanIn = (outChannels / groups) * kh * kw;
    this.weight = this.param('weight', [inChannels, outChannels / groups, kh, kw], torchDefaultUniform(fanIn), 'convTranspose2d');
    this.bias = (opts.bias ?? true) ? this.param('bias', [outChannels], torchDefaultUniform(fanIn)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor4D {
    return convTranspose2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.options, this.bias);
  }
}
