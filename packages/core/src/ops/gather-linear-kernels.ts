import * as tf from '@tensorflow/tfjs-core';
import { gatherLinearWebGPU } from './gather-linear-webgpu.js';

/**
 * Backend kernels of `SrGatherLinear` (see `gather-linear.ts`): one pass over the output, each row
 * copied from its table row and finished in place (the few `rel·weight` terms, bias, activation).
 * The CPU and WASM kernels are the same typed-array loop over different storage (the CPU backend's
 * arrays, the WASM backend's heap); WebGPU runs a WGSL program.
 */

const NAME = 'SrGatherLinear';

type Info = tf.TensorInfo;
type Arrays = { table: Float32Array; index: Int32Array; rel: Float32Array; weight: Float32Array; bias: Float32Array };

/** `out[m, :] = act(table[index[m], :] + rel[m, :]·weight + bias)` on typed arrays. */
export function gatherLinearLoop(a: Arrays, out: Float32Array, c: number, r: number, relu: boolean): void {
  const n = a.table.length / Math.max(1, c);
  const m = a.index.length;
  for (let i = 0; i < m; i++) {
    const row = a.index[i]!;
    if (!(row >= 0 && row < n)) throw new Error(`SrGatherLinear: index ${row} is not in [0, ${n - 1}]`);
    const o = i * c;
    out.set(a.table.subarray(row * c, row * c + c), o);
    for (let j = 0; j < c; j++) out[o + j] += a.bias[j]!;
    for (let k = 0; k < r; k++) {
      const v = a.rel[i * r + k]!;
      const w = k * c;
      for (let j = 0; j < c; j++) out[o + j] += v * a.weight[w + j]!;
    }
    if (relu) for (let j = 0; j < c; j++) if (out[o + j]! < 0) out[o + j] = 0; // NaN stays NaN, as in tf.relu
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function shapes(inputs: tf.NamedTensorInfoMap): { m: number; c: number; r: number } {
  return { m: inputs.index!.shape[0]!, c: inputs.table!.shape[1]!, r: inputs.rel!.shape[1]! };
}

const ORDER = ['table', 'index', 'rel', 'weight', 'bias'] as const;

function cpuKernel({ inputs, backend, attrs }: KernelArgs): Info {
  const be = backend as { readSync(id: object): tf.backend_util.TypedArray; makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info };
  const { m, c, r } = shapes(inputs);
  const arr = Object.fromEntries(ORDER.map((k) => [k, be.readSync(inputs[k]!.dataId)])) as unknown as Arrays;
  const out = new Float32Array(m * c);
  gatherLinearLoop(arr, out, c, r, attrs?.activation === 'relu');
  return be.makeTensorInfo([m, c], 'float32', out);
}

function wasmKernel({ inputs, backend, attrs }: KernelArgs): Info {
  const be = backend as { makeOutput(shape: number[], dtype: tf.DataType): Info; typedArrayFromHeap(info: Info): tf.backend_util.TypedArray };
  const { m, c, r } = shapes(inputs);
  const out = be.makeOutput([m, c], 'float32');
  if (m * c === 0) return out;
  // Views after makeOutput: allocating may grow (and so detach) the heap.
  const arr = Object.fromEntries(ORDER.map((k) => [k, be.typedArrayFromHeap(inputs[k]!)])) as unknown as Arrays;
  gatherLinearLoop(arr, be.typedArrayFromHeap(out) as Float32Array, c, r, attrs?.activation === 'relu');
  return out;
}

let registered = false;

/** Registers the kernels once (idempotent; called by `gatherLinear`). */
export function registerGatherLinearKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, (a: KernelArgs) => Info][] = [
    ['cpu', cpuKernel],
    ['wasm', wasmKernel],
    ['webgpu', gatherLinearWebGPU],
  ];
  for (const [backendName, fn] of kernels)
    if (!tf.getKernel(NAME, backendName)) tf.registerKernel({ kernelName: NAME, backendName, kernelFunc: fn as unknown as tf.KernelFunc });
}
