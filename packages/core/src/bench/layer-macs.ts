/**
 * Multiply-adds of one call of a counted layer (Conv2d, ConvTranspose2d, Linear), from its
 * configuration and tensor shapes: the formula shared by {@link countFlops} and
 * {@link countFlopsDuring}. Internal to @sr/core (not exported from the package index).
 * @module
 */
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/conv-transpose.js';
import { Linear } from '../nn/linear.js';

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Multiply-adds of one call of `m` on an input of shape `input` giving `output` (0 for other modules). */
export function layerMacs(m: Module, input: readonly number[], output: readonly number[]): number {
  if (m instanceof Conv2d) {
    const [kh, kw] = m.kernelSize;
    // Every output value is a dot product over (in/groups)·kh·kw inputs.
    return prod(output) * (m.inChannels / m.groups) * kh * kw;
  }
  if (m instanceof ConvTranspose2d) {
    const w = m.weight.shape; // [kh, kw, out/groups, in]
    // Every input value is scattered into (out/groups)·kh·kw outputs.
    return prod(input) * (w[0] as number) * (w[1] as number) * (w[2] as number);
  }
  if (m instanceof Linear) return (prod(input) / m.inFeatures) * m.inFeatures * m.outFeatures;
  return 0;
}
