import * as tf from '@tensorflow/tfjs-core';
import { convBackpropKernels } from './conv-backprop.js';
import { poolSegmentKernels } from './pool-segment.js';

export {
  conv2dBackpropFilterImpl,
  conv2dBackpropInputImpl,
  depthwiseBackpropFilterImpl,
  depthwiseBackpropInputImpl,
  convGeometry,
  type ConvGeometry,
} from './conv-backprop.js';
export { maxPoolGradImpl, unsortedSegmentSumImpl } from './pool-segment.js';
export { prepareNodeWasmThreads } from './node-threads.js';

/** The kernels {@link registerWasmTrainingKernels} installs for the 'wasm' backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [...convBackpropKernels, ...poolSegmentKernels].map((k) => k.kernelName);

let replaced: tf.KernelConfig[] | null = null;

/**
 * Registers the kernels that the backward passes of @sr models need on the tfjs WASM backend
 * (tfjs-backend-wasm 4.22): Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter and
 * UnsortedSegmentSum (missing), plus faster or corrected replacements of Conv2DBackpropInput (a
 * scalar loop there) and MaxPoolGrad (drops entries). All are built from the backend's XNNPACK
 * conv/matMul and elementwise kernels. Idempotent; {@link initBackend} calls it when it activates
 * 'wasm'. Inference is unaffected except that `tf.conv2dTranspose` (ConvTranspose2d) becomes fast.
 * @returns the kernel names registered.
 */
export function registerWasmTrainingKernels(): string[] {
  if (replaced) return [...WASM_TRAINING_KERNELS];
  replaced = [];
  for (const config of [...convBackpropKernels, ...poolSegmentKernels]) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing) {
      replaced.push(existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
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
