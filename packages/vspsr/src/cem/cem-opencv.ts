/**
 * The official VSpSR consistency-enforcing module (`models/cem_postprocess.py: CEM_Post`, built by
 * `get_cem(scale)`), after Bahat & Michaeli's CEM (Explorable SR, CVPR 2020): with D the
 * downscaling operator, U = s²·Dᵀ-like upscaling and Inv ≈ (D U)⁻¹,
 *
 *   out = U(Inv(lr)) + (sr − U(Inv(D(sr)))) = sr + U·Inv·(lr − D·sr),
 *
 * which replaces the component of `sr` that the LR image determines by the one `lr` dictates. The
 * filters come from OpenCV's cubic upscaling kernel (`opencv-kernel.ts`); D replicate-pads, filters
 * and keeps pixel `preStride` of every s×s block; U zero-inserts at the same offset, replicate-pads
 * and filters; Inv replicate-pads and filters. No learned weights (not in the checkpoint).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@sr/core';
import { opencvCemFilters, type OpenCvCemFilters } from './opencv-kernel.js';
import { correlate, filterTensor, foldChannels, replicatePad, unfoldChannels } from './ops.js';

/** Intermediates of {@link OpenCvCem.applyDetailed} (NHWC). */
export interface OpenCvCemTrace {
  dSr: tf.Tensor4D;
  invLr: tf.Tensor4D;
  uInvLr: tf.Tensor4D;
  uInvDSr: tf.Tensor4D;
  out: tf.Tensor4D;
}

/** The official CEM with the OpenCV-cubic kernel (golden parity with `vspsr_cem`). */
export class OpenCvCem {
  readonly filters: OpenCvCemFilters;
  private readonly down: tf.Tensor4D;
  private readonly up: tf.Tensor4D;
  private readonly inv: tf.Tensor4D;

  constructor(readonly scale: number) {
    this.filters = opencvCemFilters(scale);
    const f = this.filters;
    this.down = filterTensor(f.downscale.data, f.downscale.size);
    this.up = filterTensor(f.upscale.data, f.upscale.size);
    this.inv = filterTensor(f.invHTh.data, f.invHTh.size);
  }

  /** D: replicate-pad ⌊k/2⌋, correlate with `cem_downscale_filter`, keep pixel (pre, pre) of each block. */
  downscale(x: tf.Tensor4D): tf.Tensor4D {
    const s = this.scale;
    const [, h, w, c] = x.shape;
    if (h % s || w % s) throw new InputError(`CEM: HR size ${h}×${w} is not a multiple of the scale ${s}`);
    return tf.tidy(() => {
      const y = correlate(replicatePad(foldChannels(x), this.filters.downscale.size >> 1), this.down);
      const n = y.shape[0];
      const p = this.filters.preStride;
      const blocks = tf.reshape(y, [n, h / s, s, w / s, s]);
      const picked = tf.slice(blocks, [0, 0, p, 0, p], [n, h / s, 1, w / s, 1]);
      return unfoldChannels(tf.reshape(picked, [n, h / s, w / s, 1]) as tf.Tensor4D, c);
    });
  }

  /** U: zero insertion at offset `preStride` in each s×s block, replicate-pad, correlate with s²·h. */
  upscale(y: tf.Tensor4D): tf.Tensor4D {
    const s = this.scale;
    const [, h, w, c] = y.shape;
    const p = this.filters.preStride;
    return tf.tidy(() => {
      const f = foldChannels(y);
      const n = f.shape[0];
      const z = tf.pad(tf.reshape(f, [n * h, 1, w, 1]), [
        [0, 0],
        [p, s - p - 1],
        [0, 0],
        [p, s - p - 1],
      ]);
      const sparse = tf.reshape(z, [n, h * s, w * s, 1]) as tf.Tensor4D;
      return unfoldChannels(correlate(replicatePad(sparse, this.filters.upscale.size >> 1), this.up), c);
    });
  }

  /** Inv: replicate-pad ⌊k/2⌋ and correlate with `cem_inv_hTh` (LR domain). */
  invert(y: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => unfoldChannels(correlate(replicatePad(foldChannels(y), this.filters.invHTh.size >> 1), this.inv), y.shape[3]));
  }

  /** `CEM_Post.forward(sr, lr)` with every intermediate (caller disposes). */
  applyDetailed(sr: tf.Tensor4D, lr: tf.Tensor4D): OpenCvCemTrace {
    checkPair(sr, lr, this.scale);
    return tf.tidy(() => {
      const dSr = this.downscale(sr);
      const invLr = this.invert(lr);
      const uInvLr = this.upscale(invLr);
      const uInvDSr = this.upscale(this.invert(dSr));
      const out = tf.add(uInvLr, tf.sub(sr, uInvDSr)) as tf.Tensor4D;
      return { dSr, invLr, uInvLr, uInvDSr, out } as never;
    }) as OpenCvCemTrace;
  }

  /** `CEM_Post.forward(sr, lr)`: the CEM output only. */
  apply(sr: tf.Tensor4D, lr: tf.Tensor4D): tf.Tensor4D {
    checkPair(sr, lr, this.scale);
    return tf.tidy(() => tf.add(sr, this.upscale(this.invert(tf.sub(lr, this.downscale(sr)) as tf.Tensor4D))) as tf.Tensor4D);
  }

  /** The three fixed filters as `[k, k]` tensors (for inspection / golden comparison). */
  filterTensors(): { downscale: tf.Tensor2D; upscale: tf.Tensor2D; invHTh: tf.Tensor2D } {
    const f = this.filters;
    return {
      downscale: tf.tensor2d(f.downscale.data, [f.downscale.size, f.downscale.size]),
      upscale: tf.tensor2d(f.upscale.data, [f.upscale.size, f.upscale.size]),
      invHTh: tf.tensor2d(f.invHTh.data, [f.invHTh.size, f.invHTh.size]),
    };
  }

  /** Frees the three filter tensors (D, U, Inv); the CEM cannot be used afterwards. */
  dispose(): void {
    tf.dispose([this.down, this.up, this.inv]);
  }
}

/** Checks that `sr` is exactly `scale`× `lr` with the same batch and channels. */
export function checkPair(sr: tf.Tensor4D, lr: tf.Tensor4D, scale: number): void {
  if (sr.rank !== 4 || lr.rank !== 4) throw new InputError(`CEM expects NHWC tensors, got sr [${sr.shape}] and lr [${lr.shape}]`);
  const ok = sr.shape[0] === lr.shape[0] && sr.shape[3] === lr.shape[3] && sr.shape[1] === scale * lr.shape[1] && sr.shape[2] === scale * lr.shape[2];
  if (!ok) throw new InputError(`CEM: sr [${sr.shape}] must be ${scale}× lr [${lr.shape}] with the same batch and channels`);
}
