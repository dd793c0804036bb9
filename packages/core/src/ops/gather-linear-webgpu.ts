import type * as tf from '@tensorflow/tfjs-core';

/**
 * The WebGPU kernel of `SrGatherLinear`: one invocation per output element `(m, j)`,
 *
 *     result[m·C + j] = act(table[index[m]·C + j] + bias[j] + Σ_k rel[m·R + k] · weight[k·C + j])
 *
 * Neighbouring invocations read neighbouring elements of one table row and of `bias`/`weight`, so the
 * loads coalesce; `rel[m, :]` (R = 2 or 4 values) is shared by a row. The program object follows
 * tfjs-backend-webgpu's `WebGPUProgram` contract: the backend prepends the buffer bindings (`table`,
 * `index`, … as `array<f32>`/`array<i32>`, the output as `result`) and a `Uniforms` struct holding
 * `size` (elements) plus the fields declared in `uniforms`, and calls `main(index)` per invocation.
 * Written against the structural type so core does not import the WebGPU backend statically.
 */

const WORKGROUP = 64;

interface WebGPUBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: { type: string; data: number[] }[]): tf.TensorInfo;
}

function program(m: number, c: number, r: number, relu: boolean): object {
  const size = m * c;
  return {
    variableNames: ['table', 'index', 'rel', 'weight', 'bias'],
    outputShape: [m, c],
    workgroupSize: [WORKGROUP, 1, 1] as [number, number, number],
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1] as [number, number, number],
    size: true,
    uniforms: 'channels : i32,',
    // R and the activation are compile-time constants: the inner loop unrolls, one pipeline per (R, act).
    shaderKey: `srGatherLinear_${r}_${relu ? 'relu' : 'linear'}`,
    getUserCode: () => `
      fn main(flat : i32) {
        if (flat < uniforms.size) {
          let c = uniforms.channels;
          let m = flat / c;
          let j = flat - m * c;
          var v = table[index[m] * c + j] + bias[j];
          for (var k = 0; k < ${r}; k++) {
            v = v + rel[m * ${r} + k] * weight[k * c + j];
          }
          ${relu ? 'v = select(v, 0.0, v < 0.0);' : ''}
          result[flat] = v;
        }
      }`,
  };
}

/** Kernel function for the `webgpu` backend. */
export function gatherLinearWebGPU({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const be = backend as WebGPUBackendLike;
  const { table, index, rel, weight, bias } = inputs as Record<string, tf.TensorInfo>;
  const m = index!.shape[0]!;
  const c = table!.shape[1]!;
  const r = rel!.shape[1]!;
  const relu = attrs?.activation === 'relu';
  return be.runWebGPUProgram(program(m, c, r, relu), [table!, index!, rel!, weight!, bias!], 'float32', [
    { type: 'int32', data: [c] },
  ]);
}
