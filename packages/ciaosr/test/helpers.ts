import * as tf from '@tensorflow/tfjs-core';
import { backboneFromFunction, encodePng, MmeditEDSR, type Backbone } from '@sr/core';
import { createUpscaler, type Upscaler } from '../src/index.js';

/** A tiny random CiaoSR (EDSR 8 feats × 1 block, MLP [16, 16]) so tests stay fast on the CPU backend. */
export async function tinyUpscaler(backbone?: Backbone): Promise<Upscaler> {
  return createUpscaler({
    weights: 'random',
    backbone: backbone ?? new MmeditEDSR({ midChannels: 8, numBlocks: 1, encoder: true }),
    head: { hiddenList: [16, 16] },
  });
}

/** A user-defined backbone: one fixed random 3×3 conv + ReLU, written with plain tfjs ops. */
export function userBackbone(channels = 8): Backbone & { dispose(): void } {
  const kernel = tf.keep(tf.randomNormal([3, 3, 3, channels], 0, 0.3, 'float32', 7) as tf.Tensor4D);
  const bb = backboneFromFunction((x) => tf.tidy(() => tf.relu(tf.conv2d(x, kernel, 1, 'same'))), channels, 1);
  return Object.assign(bb, { dispose: () => kernel.dispose() });
}

/** A deterministic smooth test image `[h, w, c]` in [0, 1]. */
export function testImage(h: number, w: number, c = 3): tf.Tensor3D {
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = 0.5 + 0.4 * Math.sin(0.7 * y + 1.3 * x + 2 * k);
  return tf.tensor3d(data, [h, w, c]);
}

/** PNG bytes of {@link testImage} (built on the host: no synchronous tensor reads). */
export async function testPng(h: number, w: number): Promise<Uint8Array> {
  const data = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = Math.round(255 * (0.5 + 0.4 * Math.sin(0.7 * y + 1.3 * x + 2 * k)));
  return encodePng({ width: w, height: h, channels: 3, bitDepth: 8, data });
}
