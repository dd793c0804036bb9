import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';
import { registerGatherLinearKernels } from './gather-linear-kernels.js';

/**
 * The fused first layer of an implicit decoder's query MLP (LIIF/LTE/CiaoSR family, issue #12):
 *
 *     y[m, :] = act(table[index[m], :] + rel[m, :] · weight + bias)
 *
 * `table` holds the first layer already applied to every LR pixel's (unfolded) latent code
 * (`LIIF.projectFeatures`), `index` picks each (neighbour, query) row, `rel` carries the few per-query
 * inputs of that layer (relative coordinate, cell) and `weight` their rows of the layer's matrix.
 * Written as separate ops this materialises four `[M, C]` tensors (the gather, the small matMul, two
 * adds) before the activation; as one kernel it reads each table row once and writes `y` once
 * (measured on Dawn's software adapter: 2.2× faster for a ×4 LIIF decode chunk). Kernels of this name
 * exist for `webgpu` (a WGSL program) and `cpu` (a typed-array loop); elsewhere — WASM included, whose
 * SIMD ops beat a JS loop 5× here — the same composite of tfjs ops runs. One gradient serves all.
 */
export const GATHER_LINEAR = 'SrGatherLinear';

/** Activation fused after the affine part. */
export type GatherLinearActivation = 'linear' | 'relu';

/** Attributes of the {@link GATHER_LINEAR} kernel. */
export interface GatherLinearAttrs {
  activation: GatherLinearActivation;
  [key: string]: GatherLinearActivation;
}

/** `act(table[index] + rel·weight + bias)` from tfjs ops: the reference and the fallback. */
export function gatherLinearComposite(
  table: tf.Tensor2D,
  index: tf.Tensor1D,
  rel: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: GatherLinearActivation,
): tf.Tensor2D {
  return tf.tidy(() => {
    const pre = tf.add(tf.add(tf.gather(table, index, 0), tf.matMul(rel, weight)), bias);
    return (activation === 'relu' ? tf.relu(pre) : pre) as tf.Tensor2D;
  });
}

let gradientRegistered = false;

function registerGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: GATHER_LINEAR,
    inputsToSave: ['table', 'index', 'rel', 'weight'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [table, index, rel, weight, y] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const { activation } = attrs as unknown as GatherLinearAttrs;
      // dPre = dy·act'(pre); relu' from the saved output (y > 0 ⇔ pre > 0).
      const dPre = () => (activation === 'relu' ? tf.mul(dy as tf.Tensor, tf.step(y)) : (dy as tf.Tensor)) as tf.Tensor2D;
      return {
        // The adjoint of a row gather: rows summed into their table row (UnsortedSegmentSum).
        table: () => tf.unsortedSegmentSum(dPre(), index, table.shape[0]),
        index: () => tf.zerosLike(index),
        rel: () => tf.matMul(dPre(), weight, false, true),
        weight: () => tf.matMul(rel, dPre(), true, false),
        bias: () => tf.sum(dPre(), 0),
      };
    },
  });
}

/**
 * `act(table[index] + rel·weight + bias)`: `table` `[N, C]`, `index` int32 `[M]` (each in `[0, N)`),
 * `rel` `[M, R]`, `weight` `[R, C]`, `bias` `[C]` → `[M, C]`. Differentiable in `table`, `rel`,
 * `weight` and `bias`. Runs the fused kernel where the active backend has one (webgpu, cpu),
 * otherwise {@link gatherLinearComposite}; both give the same values up to float rounding order.
 * Indices out of range throw on cpu and wasm; on WebGPU they are not checked (that would need a GPU
 * read-back) and read whatever the robust-access rules give, so callers build them in range, as
 * `pixelRows` does (out-of-image positions point at its zero row).
 */
export function gatherLinear(
  table: tf.Tensor2D,
  index: tf.Tensor1D,
  rel: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: GatherLinearActivation = 'linear',
): tf.Tensor2D {
  const [n, c] = table.shape;
  const [m, r] = rel.shape;
  if (table.rank !== 2 || rel.rank !== 2 || weight.rank !== 2 || bias.rank !== 1 || index.rank !== 1)
    throw new InputError(`gatherLinear: expected table [N, C], index [M], rel [M, R], weight [R, C], bias [C]; got [${table.shape}], [${index.shape}], [${rel.shape}], [${weight.shape}], [${bias.shape}]`);
  if (index.shape[0] !== m || weight.shape[0] !== r || weight.shape[1] !== c || bias.shape[0] !== c)
    throw new InputError(`gatherLinear: shapes disagree: table [${n}, ${c}], index [${index.shape}], rel [${m}, ${r}], weight [${weight.shape}], bias [${bias.shape}]`);
  if (index.dtype !== 'int32') throw new InputError(`gatherLinear: index must be int32, got ${index.dtype}`);
  registerGatherLinearKernels();
  registerGradient();
  if (!tf.getKernel(GATHER_LINEAR, tf.getBackend())) return gatherLinearComposite(table, index, rel, weight, bias, activation);
  const attrs: GatherLinearAttrs = { activation };
  return tf.engine().runKernel(GATHER_LINEAR, { table, index, rel, weight, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
