import * as tf from '@tensorflow/tfjs-core';
import { inputOf, type KernelArgs } from './tensor-util.js';

/**
 * Row gather and its adjoint (segment sum) for the WASM backend, working directly on the backend's
 * heap. The implicit decoders (LIIF/LTE/CiaoSR) gather rows of per-pixel feature maps for every query
 * and neighbour — `[4·Q, 576]` blocks per chunk — and tfjs-backend-wasm 4.22's GatherV2 copies them one
 * element at a time with stride arithmetic: measured on a CiaoSR ×4 decode chunk (2048 queries, 2 threads)
 * it took 643 ms of 1.1 s, more than all the matMuls. Here every gathered slice is one
 * `TypedArray.set` (a memcpy); the backward pass (UnsortedSegmentSum, the gradient of gather) accumulates
 * rows in a tight loop instead of a scatter built from generic ops.
 */

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use (public methods of that class). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * What tfjs passes these kernel functions: inputs and attributes ({@link KernelArgs}) plus the active
 * backend, which must be tfjs-backend-wasm's (the kernels read and write its heap directly).
 */
export type HeapKernelArgs = KernelArgs & { backend: unknown };

/** The WASM backend of a heap kernel's arguments. */
export const heapOf = (args: HeapKernelArgs): WasmHeapBackend => args.backend as WasmHeapBackend;

/**
 * `GatherV2` with tfjs semantics (`axis`, `batchDims`): output `[batch, outer, indices, slice]` in
 * the flattened view tfjs's own kernels use. Out-of-range indices throw, as in tfjs.
 */
export function gatherV2Heap(args: HeapKernelArgs): tf.TensorInfo {
  const backend = heapOf(args);
  const x = inputOf(args, 'x');
  const indices = inputOf(args, 'indices');
  const attrs = args.attrs as unknown as tf.GatherV2Attrs;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
    x as tf.TensorInfo as tf.Tensor,
    indices as tf.TensorInfo as tf.Tensor,
    axis,
    attrs.batchDims ?? 0,
  );
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  const nIdx = tf.util.sizeFromShape(indices.shape) / Math.max(1, batchSize);
  const idx = backend.typedArrayFromHeap(indices);
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (!(v >= 0 && v <= dimSize - 1)) throw new Error(`GatherV2: the index value ${v} is not in [0, ${dimSize - 1}]`);
  }
  const out = backend.makeOutput(info.outputShape, x.dtype);
  if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(info.outputShape) === 0) return out;
  // Views after makeOutput: allocating may grow (and so detach) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const ix = backend.typedArrayFromHeap(indices);
  let o = 0;
  for (let b = 0; b < batchSize; b++)
    for (let u = 0; u < outerSize; u++) {
      const base = (b * outerSize + u) * dimSize;
      for (let i = 0; i < nIdx; i++) {
        const s = (base + ix[b * nIdx + i]!) * sliceSize;
        if (sliceSize === 1) dst[o] = src[s]!;
        else dst.set(src.subarray(s, s + sliceSize), o);
        o += sliceSize;
      }
    }
  return out;
}

/**
 * `UnsortedSegmentSum` (float32 and int32): `out[id] += x[k]` row by row; ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow and the CPU backend.
 */
export function unsortedSegmentSumHeap(args: HeapKernelArgs): tf.TensorInfo {
  const backend = heapOf(args);
  const x = inputOf(args, 'x');
  const ids = inputOf(args, 'segmentIds');
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const k = tf.util.sizeFromShape(ids.shape);
  const rest = x.shape.slice(ids.shape.length);
  const width = tf.util.sizeFromShape(rest);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  const src = backend.typedArrayFromHeap(x);
  const seg = backend.typedArrayFromHeap(ids);
  for (let r = 0; r < k; r++) {
    const id = seg[r]!;
    if (!(id >= 0 && id < numSegments)) continue;
    const d = id * width;
    const s = r * width;
    for (let j = 0; j < width; j++) dst[d + j] += src[s + j]!;
  }
  return out;
}

/** Kernel configs for the 'wasm' backend (registered by {@link registerWasmTrainingKernels}). */
export const gatherScatterKernels: tf.KernelConfig[] = [
  { kernelName: tf.GatherV2, backendName: 'wasm', kernelFunc: gatherV2Heap as unknown as tf.KernelFunc },
  { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumHeap as unknown as tf.KernelFunc },
];
