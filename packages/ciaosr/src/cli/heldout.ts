import * as tf from '@tensorflow/tfjs-core';
import { InputError, imresize, readImage, toTrainImage } from '@sr/core';
import { psnr } from '@sr/metrics';
import type { CiaoSR } from '../model.js';
import { upscaleWith } from '../upscaler.js';

/** Held-out PSNR-Y of one photo at one scale, model and bicubic. */
export interface HeldOutScore {
  scale: number;
  bicubic: number;
  model: number;
}

/** A held-out HR crop prepared once: its LR images (8-bit, MATLAB bicubic) and bicubic scores per scale. */
export interface HeldOutSet {
  hr: tf.Tensor4D;
  lrs: Map<number, tf.Tensor4D>;
  bicubic: Map<number, number>;
  dispose(): void;
}

/**
 * Prepares the centre `size`×`size` crop of a photo (size a multiple of every scale) as the evaluation
 * protocol of `eval:default` does: LR by MATLAB bicubic, stored as 8 bits; bicubic = MATLAB imresize back.
 */
export async function prepareHeldOut(file: string, scales: number[], size: number): Promise<HeldOutSet> {
  for (const s of scales) if (!Number.isInteger(s) || size % s) throw new InputError(`held-out crop ${size} is not a multiple of ×${s}`);
  const img = toTrainImage(await readImage(file));
  if (img.height < size || img.width < size) throw new InputError(`${file} is smaller than the ${size}² held-out crop`);
  const y0 = (img.height - size) >> 1;
  const x0 = (img.width - size) >> 1;
  const hr = tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, y0, x0, 0], [1, size, size, 3]) as tf.Tensor4D);
  const lrs = new Map<number, tf.Tensor4D>();
  const bicubic = new Map<number, number>();
  for (const s of scales) {
    const lr = tf.tidy(() => tf.div(tf.round(tf.mul(tf.clipByValue(imresize(hr, { height: size / s, width: size / s }), 0, 1), 255)), 255) as tf.Tensor4D);
    lrs.set(s, lr);
    const bic = tf.tidy(() => tf.clipByValue(imresize(lr, { height: size, width: size }), 0, 1) as tf.Tensor4D);
    bicubic.set(s, await psnrY(bic, hr, s));
    bic.dispose();
  }
  return { hr, lrs, bicubic, dispose: () => tf.dispose([hr, ...lrs.values()]) };
}

async function psnrY(out: tf.Tensor4D, hr: tf.Tensor4D, scale: number): Promise<number> {
  const a = tf.squeeze(out, [0]) as tf.Tensor3D;
  const b = tf.squeeze(hr, [0]) as tf.Tensor3D;
  try {
    return await psnr(a, b, { cropBorder: scale, yChannel: true });
  } finally {
    tf.dispose([a, b]);
  }
}

/** PSNR-Y (border crop = scale) of the model and of bicubic on a prepared held-out crop. */
export async function evalHeldOut(model: CiaoSR, set: HeldOutSet, tile = 64): Promise<HeldOutScore[]> {
  const size = set.hr.shape[1];
  const rows: HeldOutScore[] = [];
  for (const [scale, lr] of set.lrs) {
    const up = await upscaleWith(model, lr, { scale: { width: size, height: size }, tile });
    const out = tf.expandDims(up.toTensor(), 0) as tf.Tensor4D;
    up.dispose();
    try {
      rows.push({ scale, bicubic: set.bicubic.get(scale)!, model: await psnrY(out, set.hr, scale) });
    } finally {
      out.dispose();
    }
  }
  return rows;
}
