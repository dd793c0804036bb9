/** Deterministic pseudo-random values in [−1, 1) (Park–Miller LCG), so test inputs do not depend on tfjs's RNG. */
export function seq(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = (s / 2147483647) * 2 - 1;
  }
  return a;
}
