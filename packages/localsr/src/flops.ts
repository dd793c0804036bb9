/**
 * A FLOP counter for benchmarks: it wraps the forward of @sr/core's Conv2d / ConvTranspose2d / Linear
 * (FLOPs = 2·MACs); the GCM adds its attention matmuls itself. Element-wise ops, resizing and
 * activations are not counted (as in the usual SR FLOP tables).
 * @module
 */
import { Conv2d, ConvTranspose2d, Linear } from '@sr/core';
import type * as tf from '@tensorflow/tfjs-core';

let total = 0;
let depth = 0;

/** Adds `n` FLOPs to the active count (no-op when none is active). */
export function addFlops(n: number): void {
  if (depth > 0) total += n;
}

type Fwd = (this: unknown, x: tf.Tensor) => tf.Tensor;
let patched = false;

/** Installs the counting wrappers once (idempotent). */
function patch(): void {
  if (patched) return;
  patched = true;
  const wrap = (proto: { forward: Fwd }, count: (self: never, x: tf.Tensor, y: tf.Tensor) => number) => {
    const orig = proto.forward;
    proto.forward = function (this: unknown, ...args: unknown[]) {
      const y = (orig as (...a: unknown[]) => tf.Tensor).apply(this, args);
      addFlops(count(this as never, args[0] as tf.Tensor, y));
      return y;
    } as Fwd;
  };
  wrap(Conv2d.prototype as unknown as { forward: Fwd }, (c: Conv2d, _x, y) => {
    const [kh, kw] = c.kernelSize;
    return 2 * (y.size / c.outChannels) * kh * kw * (c.inChannels / c.groups) * c.outChannels;
  });
  wrap(ConvTranspose2d.prototype as unknown as { forward: Fwd }, (c: ConvTranspose2d, x) => {
    const [kh, kw] = [c.weight.shape[0] as number, c.weight.shape[1] as number];
    return 2 * (x.size / c.inChannels) * kh * kw * c.inChannels * (c.outChannels / c.options.groups);
  });
  wrap(Linear.prototype as unknown as { forward: Fwd }, (l: Linear, x) => 2 * (x.size / l.inFeatures) * l.inFeatures * l.outFeatures);
}

/** Runs `fn` and returns its result with the FLOPs of the convolutions/linears/attention it ran. */
export async function countFlops<T>(fn: () => T | Promise<T>): Promise<{ value: T; flops: number }> {
  patch();
  if (depth === 0) total = 0;
  depth++;
  try {
    const value = await fn();
    return { value, flops: total };
  } finally {
    depth--;
  }
}
