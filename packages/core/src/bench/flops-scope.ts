/**
 * A FLOP counter for whole pipelines: {@link countFlopsDuring} counts every Conv2d /
 * ConvTranspose2d / Linear forward that runs while a (possibly async) function runs, whichever
 * modules they belong to — for benchmarks of code paths that are not one module's forward (LocalSR's
 * region pipeline). Code that does large matrix products outside those layers (attention) adds them
 * with {@link addFlops}. Element-wise ops, resizing and activations are not counted (as in the usual
 * SR FLOP tables). For one module's forward, {@link countFlops} gives a per-layer breakdown instead.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/conv-transpose.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { layerMacs } from './layer-macs.js';

let total = 0;
let depth = 0;

/** Adds `n` FLOPs to the active {@link countFlopsDuring} count (a no-op when none is active). */
export function addFlops(n: number): void {
  if (depth > 0) total += n;
}

type Forward = (...args: unknown[]) => tf.Tensor;
let patched = false;

/**
 * Wraps the `forward` of the three counted layer classes once (idempotent; the wrappers count only
 * while a {@link countFlopsDuring} is active, and cost one comparison otherwise).
 */
function patchLayerClasses(): void {
  if (patched) return;
  patched = true;
  for (const cls of [Conv2d, ConvTranspose2d, Linear]) {
    const proto = cls.prototype as unknown as { forward: Forward };
    const original = proto.forward;
    proto.forward = function (this: Module, ...args: unknown[]): tf.Tensor {
      const y = original.apply(this, args);
      addFlops(2 * layerMacs(this, (args[0] as tf.Tensor).shape, y.shape));
      return y;
    };
  }
}

/**
 * Runs `fn` and returns its result with the FLOPs (2 · multiply-adds) of the Conv2d, ConvTranspose2d
 * and Linear forwards it ran, plus what it reported through {@link addFlops}. Calls nest: an inner
 * count does not reset the outer one and returns the running total.
 */
export async function countFlopsDuring<T>(fn: () => T | Promise<T>): Promise<{ value: T; flops: number }> {
  patchLayerClasses();
  if (depth === 0) total = 0;
  depth++;
  try {
    const value = await fn();
    return { value, flops: total };
  } finally {
    depth--;
  }
}
