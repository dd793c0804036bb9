import * as tf from '@tensorflow/tfjs-core';
import { gatherLinearWebGPU } from './gather-linear-webgpu.js';

/**
 * Backend kernels of `SrGatherLinear` (see `gather-linear.ts`): WebGPU runs a WGSL program; the pure-JS
 * CPU backend a typed-array loop (each output row built from its table row in place — 5× faster than
 * the composite there, whose tfjs CPU gather costs microseconds per element). WASM deliberately has no
 * kernel: measured on a ×4 LIIF decode chunk (16384 rows × 256), its SIMD gather/matMul/add/ReLU
 * composite takes 35–45 ms and a JS loop over the heap 180–270 ms, so the composite is the fast path.
 */

const NAME = 'SrGatherLinear';

type Info = tf.TensorInfo;
type Arrays = { table: Float32Array; index: Int32Array; rel: Float32Array; weight: Float32Array; bias: Float32Array };

/** `out[m, :] = act(table[index[m], :] + rel[m, :]·weight + bias)` on typed arrays. */
function gatherLinearLoop(a: Arrays, out: Float32Array, c: number, r: number, relu: boolean): void {
  // Locals, not property reads, in the hot loop; one read of each input element and one write.
  const { table, index, rel, weight, bias } = a;
  const n = table.length / Math.max(1, c);
  const m = index.length;
  for (let i = 0; i < m; i++) {
    const row = index[i]!;
    if (!(row >= 0 && row < n)) throw new Error(`SrGatherLinear: index ${row} is not in [0, ${n - 1}]`);
    const src = row * c;
    const o = i * c;
    // Row-wise axpys over contiguous memory (the output row stays in L1 across the passes).
    for (let j = 0; j < c; j++) out[o + j] = table[src + j]! + bias[j]!;
    for (let k = 0; k < r; k++) {
      const s = rel[i * r + k]!;
      const w = k * c;
      for (let j = 0; j < c; j++) out[o + j] += s * weight[w + j]!;
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

let registered = false;

/** Registers the kernels once (idempotent; called by `gatherLinear`). */
export function registerGatherLinearKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, (a: KernelArgs) => Info][] = [
    ['cpu', cpuKernel],
    ['webgpu', gatherLinearWebGPU],
  ];
  for (const [backendName, fn] of kernels)
    if (!tf.getKernel(NAME, backendName)) tf.registerKernel({ kernelName: NAME, backendName, kernelFunc: fn as unknown as tf.KernelFunc });
}
