import * as tf from '@tensorflow/tfjs-core';
import { heapOf, type HeapKernelArgs } from '../backend/wasm-kernels/gather-scatter.js';
import { InputError } from '../errors/index.js';

/**
 * The value aggregation of an attention-weighted implicit decoder (CiaoSR's attention-in-attention,
 * Cao et al. CVPR 2023 §3.3): each query mixes its K neighbours' gated value rows,
 *
 *     out[q, :] = Σ_k weights[k, q] · table[index[k·Q + q], :] ⊙ gate[k·Q + q, :]
 *
 * with the (neighbour, query) pairs neighbour-major, as the decoders lay them out. Written as tfjs ops
 * (gather, multiply, multiply, sum over the neighbour axis) it materialises two `[K·Q, D]` tensors and
 * tfjs-backend-wasm 4.22 transposes `[K, Q, D]` to reduce the leading axis (one scalar pass with
 * strided reads). As one loop it reads each gathered row, each gate row and the weights once and
 * writes `out` once: measured on WASM (2 threads, K = 4, D = 320, 512-query chunks) 175 ms instead of
 * 310 ms per 65536 queries. Kernels of this name exist for `wasm` (on the backend's heap) and `cpu`;
 * elsewhere (WebGPU) the same composite of tfjs ops runs. One gradient serves all.
 */
export const MIX_GATHERED_ROWS = 'SrMixGatheredRows';

/** `Σ_k weights[k] ⊙ gather(table, index)[k] ⊙ gate[k]` from tfjs ops: the reference and the fallback. */
export function mixGatheredRowsComposite(table: tf.Tensor2D, index: tf.Tensor1D, gate: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [k, q] = weights.shape;
    const d = table.shape[1];
    const gated = tf.reshape(tf.mul(tf.gather(table, index, 0), gate), [k, q, d]);
    return tf.sum(tf.mul(gated, tf.expandDims(weights, 2)), 0) as tf.Tensor2D;
  });
}

/** The loop behind the kernels, on typed arrays (`out` is written, not accumulated into). */
function mixLoop(table: Float32Array, index: Int32Array, gate: Float32Array, weights: Float32Array, out: Float32Array, k: number, q: number, d: number): void {
  const n = table.length / Math.max(1, d);
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    if (!(r >= 0 && r < n)) throw new Error(`${MIX_GATHERED_ROWS}: index ${r} is not in [0, ${n - 1}]`);
  }
  const plane = q * d;
  if (k === 4) {
    // The decoders' case (4 neighbours), unrolled: one pass over each output row.
    for (let j = 0; j < q; j++) {
      const a0 = weights[j]!, a1 = weights[q + j]!, a2 = weights[2 * q + j]!, a3 = weights[3 * q + j]!;
      const r0 = index[j]! * d, r1 = index[q + j]! * d, r2 = index[2 * q + j]! * d, r3 = index[3 * q + j]! * d;
      const o = j * d;
      for (let c = 0; c < d; c++) {
        const g = o + c;
        out[g] = a0 * table[r0 + c]! * gate[g]! + a1 * table[r1 + c]! * gate[plane + g]! + a2 * table[r2 + c]! * gate[2 * plane + g]! + a3 * table[r3 + c]! * gate[3 * plane + g]!;
      }
    }
    return;
  }
  out.fill(0);
  for (let m = 0; m < k; m++)
    for (let j = 0; j < q; j++) {
      const a = weights[m * q + j]!;
      const r = index[m * q + j]! * d;
      const g = m * plane + j * d;
      const o = j * d;
      for (let c = 0; c < d; c++) out[o + c] += a * table[r + c]! * gate[g + c]!;
    }
}

const dims = (inputs: tf.NamedTensorInfoMap) => ({ k: inputs.weights!.shape[0]!, q: inputs.weights!.shape[1]!, d: inputs.table!.shape[1]! });

/** WASM: directly on the backend's heap (as core's other WASM kernels, e.g. `gatherV2Heap`). */
function wasmKernel(args: HeapKernelArgs): tf.TensorInfo {
  const be = heapOf(args);
  const { inputs } = args;
  const { k, q, d } = dims(inputs);
  const out = be.makeOutput([q, d], 'float32');
  // Views after makeOutput: allocating may grow (and so detach) the heap.
  const view = (name: string) => be.typedArrayFromHeap(inputs[name]!);
  mixLoop(view('table') as Float32Array, view('index') as Int32Array, view('gate') as Float32Array, view('weights') as Float32Array, be.typedArrayFromHeap(out) as Float32Array, k, q, d);
  return out;
}

function cpuKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const be = backend as { readSync(id: object): tf.backend_util.TypedArray; makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
  const { k, q, d } = dims(inputs);
  const read = (name: string) => be.readSync(inputs[name]!.dataId);
  const out = new Float32Array(q * d);
  mixLoop(read('table') as Float32Array, read('index') as Int32Array, read('gate') as Float32Array, read('weights') as Float32Array, out, k, q, d);
  return be.makeTensorInfo([q, d], 'float32', out);
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, kernelFunc] of [
    ['wasm', wasmKernel],
    ['cpu', cpuKernel],
  ] as const)
    if (!tf.getKernel(MIX_GATHERED_ROWS, backendName)) tf.registerKernel({ kernelName: MIX_GATHERED_ROWS, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  tf.registerGradient({
    kernelName: MIX_GATHERED_ROWS,
    inputsToSave: ['table', 'index', 'gate', 'weights'],
    gradFunc: (dy, saved) => {
      const [table, index, gate, weights] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor2D];
      const [k, q] = weights.shape;
      const d = table.shape[1];
      // In the [K, Q, D] view dy broadcasts over the neighbours and the weights over the channels (no
      // tf.tile: tfjs-backend-wasm's Tile takes ~1 s for a [16384, 320] training batch).
      const dy3 = tf.reshape(dy as tf.Tensor2D, [1, q, d]);
      const w3 = tf.reshape(weights, [k, q, 1]);
      const gate3 = tf.reshape(gate, [k, q, d]);
      // rows ⊙ dy, shared by the gate and weight gradients: the rows are gathered once per backward pass.
      const rowsDy = tf.mul(tf.reshape(tf.gather(table, index, 0), [k, q, d]), dy3);
      return {
        // The adjoint of a row gather: rows summed into their table row (UnsortedSegmentSum).
        table: () => tf.unsortedSegmentSum(tf.reshape(tf.mul(tf.mul(gate3, dy3), w3), [k * q, d]), index, table.shape[0]),
        index: () => tf.zerosLike(index),
        gate: () => tf.reshape(tf.mul(rowsDy, w3), [k * q, d]),
        weights: () => tf.sum(tf.mul(rowsDy, gate3), 2),
      };
    },
  });
}

/**
 * `out[q] = Σ_k weights[k, q] · table[index[k·Q + q]] ⊙ gate[k·Q + q]`: `table` `[N, D]`, `index` int32
 * `[K·Q]` (each in `[0, N)`), `gate` `[K·Q, D]`, `weights` `[K, Q]` → `[Q, D]`. Differentiable in
 * `table`, `gate` and `weights`. Runs the fused kernel where the active backend has one (wasm, cpu),
 * otherwise {@link mixGatheredRowsComposite}; both give the same values up to float rounding order.
 * Indices out of range throw on wasm and cpu; on WebGPU the composite's gather does not check them.
 */
export function mixGatheredRows(table: tf.Tensor2D, index: tf.Tensor1D, gate: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor2D {
  if (table.rank !== 2 || index.rank !== 1 || gate.rank !== 2 || weights.rank !== 2)
    throw new InputError(`mixGatheredRows: expected table [N, D], index [K·Q], gate [K·Q, D], weights [K, Q]; got [${table.shape}], [${index.shape}], [${gate.shape}], [${weights.shape}]`);
  const [k, q] = weights.shape;
  if (index.shape[0] !== k * q || gate.shape[0] !== k * q || gate.shape[1] !== table.shape[1])
    throw new InputError(`mixGatheredRows: shapes disagree: table [${table.shape}], index [${index.shape}], gate [${gate.shape}], weights [${weights.shape}]`);
  if (index.dtype !== 'int32') throw new InputError(`mixGatheredRows: index must be int32, got ${index.dtype}`);
  for (const [name, t] of [['table', table], ['gate', gate], ['weights', weights]] as const)
    if (t.dtype !== 'float32') throw new InputError(`mixGatheredRows: ${name} must be float32, got ${t.dtype}`);
  if (k * q === 0 || table.shape[1] === 0) return tf.zeros([q, table.shape[1]]);
  if (table.shape[0] === 0) throw new InputError(`mixGatheredRows: ${k * q} indices into an empty table`);
  register();
  if (!tf.getKernel(MIX_GATHERED_ROWS, tf.getBackend())) return mixGatheredRowsComposite(table, index, gate, weights);
  return tf.engine().runKernel(MIX_GATHERED_ROWS, { table, index, gate, weights }) as tf.Tensor2D;
}
