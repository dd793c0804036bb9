import type * as tf from '@tensorflow/tfjs-core';

/**
 * A feature extractor that implicit decoders (LIIF, LTE, CiaoSR) and other heads can sit on: it maps
 * an NHWC image `[B, h, w, 3]` to LR-resolution features `[B, h, w, channels]`. EDSR-baseline, RDN and
 * RRDBNet implement it in their `encoder` mode; a user's own tfjs function can too (see
 * {@link backboneFromFunction}).
 */
export interface Backbone {
  /** Number of feature channels `encode` returns. */
  readonly channels: number;
  /**
   * Receptive-field radius in LR pixels: how far an output feature can see. Tiling uses it as the
   * minimum overlap so tiled encoding equals untiled encoding.
   */
  readonly receptiveField: number;
  /** `[B, h, w, 3]` → `[B, h, w, channels]`. Must not leak tensors. */
  encode(x: tf.Tensor4D): tf.Tensor4D;
}

/** Wraps a plain function as a {@link Backbone}. */
export function backboneFromFunction(
  encode: (x: tf.Tensor4D) => tf.Tensor4D,
  channels: number,
  receptiveField: number,
): Backbone {
  return { channels, receptiveField, encode };
}
