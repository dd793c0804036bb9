/**
 * Seedable random numbers for the sampler. Each sample of a batch draws from its own generator
 * seeded from `(seed, sampleIndex)`, so a sample depends only on its seed and index — not on the
 * batch size or on the backend.
 * @module
 */
import { createRng } from '@sr/core';

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** mulberry32: core's seedable generator (`createRng(seed).next`), the same sequence everywhere. */
export function mulberry32(seed: number): Uniform {
  return createRng(seed).next;
}

/** Mixes `(seed, stream)` into one 32-bit seed (murmur3 finaliser), so nearby seeds decorrelate. */
export function mixSeed(seed: number, stream: number): number {
  let h = (Math.floor(seed) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The generator of sample `stream` for `seed`. */
export function sampleRng(seed: number, stream: number): Uniform {
  return mulberry32(mixSeed(seed, stream));
}
