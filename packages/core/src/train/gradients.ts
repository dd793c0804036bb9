import * as tf from '@tensorflow/tfjs-core';
import { SrError } from '../errors/index.js';
import { isNode } from '../platform/env.js';
import { nodePlatform } from '../platform/node-platform.js';

/** True when tfjs gradient functions are registered (`tf.grad`, optimizers need them). */
export function gradientsRegistered(): boolean {
  try {
    return tf.getGradient('Sum') != null && tf.getGradient('Conv2D') != null;
  } catch {
    return false;
  }
}

/**
 * Registers tfjs's gradient functions once. `@tensorflow/tfjs-core` alone ships the ops but not their
 * gradients (the `@tensorflow/tfjs` union package registers them); training, `tf.grad` and
 * `optimizer.minimize` fail with "gradient function not found" without them. In Node this loads the
 * union package's CommonJS bundle when present; elsewhere (bundlers) it imports tfjs-core's
 * `register_all_gradients` module. Call it (and await it) before the first training step.
 */
export async function ensureGradients(): Promise<void> {
  if (gradientsRegistered()) return;
  const errors: string[] = [];
  const platform = isNode() ? nodePlatform() : undefined;
  if (platform) {
    try {
      platform.require('@tensorflow/tfjs');
    } catch (e) {
      errors.push(`@tensorflow/tfjs: ${(e as Error).message}`);
    }
  }
  if (!gradientsRegistered()) {
    try {
      await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    } catch (e) {
      errors.push(`register_all_gradients: ${(e as Error).message}`);
    }
  }
  if (!gradientsRegistered())
    throw new SrError(
      'E_NO_GRADIENTS',
      `tfjs gradients are not registered (${errors.join('; ')}). Install @tensorflow/tfjs, or import ` +
        `'@tensorflow/tfjs-core/dist/register_all_gradients' once before training.`,
    );
}

/** Throws a clear error when gradients are missing (a synchronous guard for training steps). */
export function assertGradients(): void {
  if (!gradientsRegistered())
    throw new SrError('E_NO_GRADIENTS', 'tfjs gradients are not registered: call `await ensureGradients()` (from @sr/core) before training');
}
