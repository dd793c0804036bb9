import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and throws if it changed `tf.memory().numTensors` — i.e. if it leaked (or freed someone
 * else's) tensors. Works with sync and async functions and any test framework.
 * @returns the value `fn` returned (dispose it yourself if it holds tensors and `allowed` counts them).
 * @param allowed tensors the call may legitimately leave behind (e.g. a returned tensor).
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, allowed = 0, label = 'call'): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after - before !== allowed)
    throw new Error(`${label} leaked tensors: numTensors ${before} → ${after} (expected change ${allowed})`);
  return out;
}
