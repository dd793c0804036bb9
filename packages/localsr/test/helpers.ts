/** Small models and inputs shared by the tests (tiny sizes: tests must stay fast on the CPU backend). */
import * as tf from '@tensorflow/tfjs-core';
import { CLSR, type BackboneKind, type ClsrOptions } from '../src/index.js';

/** A tiny CLSR (8 channels, 2 stages; PIM c' = 4; 6×6 GCM patches, N = 6, padding 2). */
export function tinyClsr(backbone: BackboneKind, extra: Partial<ClsrOptions> = {}): CLSR {
  return new CLSR({ backbone, backboneConfig: { channels: 8, blocks: 2, growth: 4 }, padding: 2, numPatches: 6, gcmStages: 1, ...extra });
}

/** Deterministic pseudo-random image `[1, h, w, channels]` in [0, 1]. */
export function testImage(h: number, w: number, seed = 1, channels = 3): tf.Tensor4D {
  const d = new Float32Array(h * w * channels);
  let s = seed;
  for (let i = 0; i < d.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    d[i] = s / 2147483648;
  }
  return tf.tensor4d(d, [1, h, w, channels]);
}

/** Gives every zero-initialised/gated part non-trivial values so context paths actually contribute. */
export function randomiseContextParts(m: CLSR, seed = 7): void {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const fill = (v: tf.Variable) => tf.tidy(() => v.assign(tf.tensor(Float32Array.from({ length: v.size }, rnd), v.shape)));
  for (const [name, p] of m.namedParameters()) if (name.startsWith('gcm.') || name === 'pim.gate') fill(p.variable);
}
