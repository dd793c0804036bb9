import { createRng } from '@sr/core';

/**
 * RefVAE's random stream (noise references, ε of the reparameterisation, prior z), drawn on the host
 * from `@sr/core`'s seedable `createRng` so a `seed` reproduces the same samples on every backend
 * (backend `tf.random*` kernels differ). Only the {@link SampleRng} type is public (it is the
 * argument of `noiseReference`); the stream itself stays internal to `@sr/refvae`.
 * @module
 */

/** Uniform and normal draws from one deterministic stream. */
export interface SampleRng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** `n` standard normals as float32. */
  normals(n: number): Float32Array;
}

/** A deterministic stream for a seed. */
export function seededRng(seed: number): SampleRng {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const rng = createRng(seed);
  return {
    uniform: () => rng.next(),
    normals: (n) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = rng.normal();
      return out;
    },
  };
}
