/**
 * A small seedable pseudo-random generator (mulberry32: 32-bit state, period 2³², fast, good enough for
 * data sampling). Every random choice of the training samplers goes through one of these, so a run is
 * reproducible from its seed (LIIF's loader uses Python's `random` and NumPy's global RNG instead).
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive, as Python's `random.randint`). */
  randint(lo: number, hi: number): number;
  /** Standard normal sample (Box–Muller). */
  normal(): number;
  /** `k` distinct integers from [0, n) in random order (`np.random.choice(n, k, replace=False)`). */
  choice(n: number, k: number): Int32Array;
  /** A new generator seeded from this one (independent streams for workers/augmentations). */
  fork(): Rng;
  /** The current 32-bit state, to checkpoint and resume a stream with `createRng(state)`. */
  state(): number;
}

/** Creates a mulberry32 {@link Rng} from a seed (any number; only its low 32 bits matter). */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    randint: (lo, hi) => {
      if (!(hi >= lo)) throw new RangeError(`randint: empty range [${lo}, ${hi}]`);
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    normal: () => {
      let u = next();
      while (u === 0) u = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    choice: (n, k) => {
      if (!(k <= n && k >= 0)) throw new RangeError(`choice: cannot pick ${k} distinct values from ${n}`);
      // partial Fisher–Yates: O(n) memory, O(k) swaps
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(next() * (n - i));
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      return pool.slice(0, k);
    },
    fork: () => createRng(Math.floor(next() * 4294967296)),
    state: () => s,
  };
  return rng;
}
