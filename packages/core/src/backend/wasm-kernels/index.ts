import * as tf from '@tensorflow/tfjs-core';
import { convBackpropKernels } from './conv-backprop.js';
import { maxPoolGradKernels } from './max-pool-grad.js';
import { gatherScatterKernels } from './gather-scatter.js';
import { transposingBatchMatMul } from './matmul-transpose.js';

export {
  conv2dBackpropFilterImpl,
  conv2dBackpropInputImpl,
  depthwiseBackpropFilterImpl,
  depthwiseBackpropInputImpl,
  convGeometry,
  type ConvGeometry,
  type Pad,
} from './conv-backprop.js';
export type { KernelArgs, TensorInfoLike } from './tensor-util.js';
export { maxPoolGradImpl } from './max-pool-grad.js';
export { gatherV2Heap, unsortedSegmentSumHeap, type HeapKernelArgs } from './gather-scatter.js';

const ALL_KERNELS = [...convBackpropKernels, ...maxPoolGradKernels, ...gatherScatterKernels];

/** The kernels {@link registerWasmTrainingKernels} installs (or wraps: BatchMatMul) for the 'wasm' backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [...ALL_KERNELS.map((k) => k.kernelName), tf.BatchMatMul];

let replaced: tf.KernelConfig[] | null = null;

/**
 * Registers the kernels that the backward passes of `@sr` models need on the tfjs WASM backend
 * (tfjs-backend-wasm 4.22): Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter and
 * UnsortedSegmentSum (missing), plus faster or corrected replacements of Conv2DBackpropInput (a
 * scalar loop there), GatherV2 (an element-wise copy loop there; the implicit decoders' hot path) and
 * MaxPoolGrad (drops entries), and wraps BatchMatMul so transposed operands (every backward pass) take
 * the XNNPACK path instead of a ≈10× slower one. The conv and pool kernels are built from the backend's XNNPACK
 * conv/matMul and elementwise kernels; gather and segment sum copy rows on the WASM heap directly.
 * Idempotent; {@link initBackend} calls it when it activates 'wasm'. Results are unchanged for
 * inference; `tf.conv2dTranspose` (ConvTranspose2d), `tf.gather` and transposed `tf.matMul` become fast.
 * @returns the kernel names registered.
 */
export function registerWasmTrainingKernels(): string[] {
  if (replaced) return [...WASM_TRAINING_KERNELS];
  replaced = [];
  for (const config of ALL_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing) {
      replaced.push(existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  // Wrapped rather than replaced: transposed operands are materialised, then the backend's own kernel runs.
  const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (matMul) {
    replaced.push(matMul);
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({ ...matMul, kernelFunc: transposingBatchMatMul(matMul.kernelFunc) });
  }
  return [...WASM_TRAINING_KERNELS];
}

/** Undoes {@link registerWasmTrainingKernels}: restores tfjs's own WASM kernels (for comparisons/tests). */
export function unregisterWasmTrainingKernels(): void {
  if (!replaced) return;
  for (const name of WASM_TRAINING_KERNELS) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  for (const config of replaced) tf.registerKernel(config);
  replaced = null;
}
