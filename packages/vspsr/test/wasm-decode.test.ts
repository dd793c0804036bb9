import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@sr/core';
import { createVSpSR, VSPSR } from '../src/index.js';

// Regression: on wasm, core's transposing BatchMatMul wrapper dropped a reference it never held to the
// data of a reshape view of the encoding, so the second sample of one `sample()` call read freed memory.
test('wasm: several samples from one encoding', async () => {
  await initBackend('wasm', { wasmThreads: 1 });
  const m = new VSPSR({ scale: 4, nBasis: 16, upsample: true });
  const v = await createVSpSR({ weights: await m.stateDict() });
  m.dispose();
  const lr = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1);
  const before = tf.memory().numTensors;
  const samples = await v.sample(lr, { count: 3, cem: false, seed: 1 });
  expect(samples.map((s) => [s.width, s.height])).toEqual([[64, 64], [64, 64], [64, 64]]);
  const [a, b] = [await samples[0].toImageArray(), await samples[1].toImageArray()];
  expect(a.data.some((x, i) => x !== b.data[i])).toBe(true); // different noise, different samples
  samples.forEach((s) => s.dispose());
  expect(tf.memory().numTensors).toBe(before);
  lr.dispose();
  v.dispose();
});
