/**
 * Seeded standard-normal noise for the coefficient samples, drawn in JS from `@sr/core`'s
 * `createRng(seed)` (Box–Muller), so `sample(image, { seed })` is reproducible on every backend: the
 * noise never comes from a backend kernel.
 * @module
 */
import { createRng } from '@sr/core';

/** A seeded source of standard-normal numbers. */
export interface NormalRng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Fills a new Float32Array with `n` standard normals. */
  normals(n: number): Float32Array;
}

/** A normal generator over core's seeded RNG. Non-integer seeds are floored. */
export function createNormalRng(seed: number): NormalRng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const rng = createRng(Math.floor(seed));
  return {
    uniform: () => rng.next(),
    normal: () => rng.normal(),
    normals(n: number) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = rng.normal();
      return out;
    },
  };
}
