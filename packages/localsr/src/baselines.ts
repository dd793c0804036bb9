/**
 * The two straightforward LocalSR baselines of the paper (§1, §3.1): pre-cropping, SR(x) of the
 * padded ROI, and post-cropping, crop(SR(X)) of the whole image.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { runTiled } from '@sr/core';
import { runBackbone, type StagedBackbone } from './staged-backbone.js';
import { paddedWindow, validateRoi, type Roi } from './roi.js';

/**
 * Pre-cropping: the backbone on the ROI grown by `padding` context pixels (clipped to the image, as
 * CLSR's base branch), then the ROI is cropped from the output. `[1, s·h, s·w, 3]`.
 */
export function preCrop(backbone: StagedBackbone, image: tf.Tensor4D, roi: Roi, padding = 8): tf.Tensor4D {
  const [, H, W] = image.shape;
  validateRoi(roi, H, W);
  const win = paddedWindow(roi, H, W, padding);
  const s = backbone.scale;
  return tf.tidy(() => {
    const x = tf.slice(image, [0, win.y0, win.x0, 0], [1, win.height, win.width, 3]);
    const y = runBackbone(backbone, x);
    return tf.slice(y, [0, win.top * s, win.left * s, 0], [1, roi.height * s, roi.width * s, 3]) as tf.Tensor4D;
  });
}

/** Options of {@link postCrop}. */
export interface PostCropOptions {
  /** Tile size in LR pixels for the whole-image SR (default: no tiling). Tiles overlap by the receptive field, so the result equals untiled SR. */
  tile?: number;
}

/**
 * Post-cropping: SR of the whole image (tiled on the host when `tile` is set, to bound memory), then
 * the ROI is cropped. This is the quality/cost upper anchor of the paper's Table 1.
 */
export async function postCrop(backbone: StagedBackbone, image: tf.Tensor4D, roi: Roi, opts: PostCropOptions = {}): Promise<tf.Tensor4D> {
  const [, H, W] = image.shape;
  validateRoi(roi, H, W);
  const s = backbone.scale;
  const full = opts.tile
    ? ((await runTiled(image, (t) => runBackbone(backbone, t as tf.Tensor4D), { tile: opts.tile, overlap: backbone.receptiveField, scale: s })) as tf.Tensor4D)
    : runBackbone(backbone, image);
  try {
    return tf.slice(full, [0, roi.y * s, roi.x * s, 0], [1, roi.height * s, roi.width * s, 3]) as tf.Tensor4D;
  } finally {
    full.dispose();
  }
}
