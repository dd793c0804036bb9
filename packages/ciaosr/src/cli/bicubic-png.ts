import * as tf from '@tensorflow/tfjs-core';
import { encodePng, imresize, tensorToImageAsync } from '@sr/core';
import { prepareInput, type UpscaleInput } from '../input.js';

/**
 * The "before" image of the CLI demo: MATLAB bicubic `imresize` of the input to `H × W`, clipped to
 * [0, 1], as PNG (RGB; an alpha channel is resized the same way).
 */
export async function bicubicPng(image: UpscaleInput, H: number, W: number): Promise<Uint8Array> {
  const { rgb, alpha } = await prepareInput(image);
  const out = tf.tidy(() => {
    const x = alpha ? tf.concat([rgb, tf.expandDims(alpha, 3)], 3) : rgb;
    return tf.clipByValue(imresize(x as tf.Tensor4D, { height: H, width: W }), 0, 1);
  });
  try {
    return await encodePng(await tensorToImageAsync(out));
  } finally {
    tf.dispose([rgb, out, ...(alpha ? [alpha] : [])]);
  }
}
