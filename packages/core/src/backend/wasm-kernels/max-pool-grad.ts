import * as tf from '@tensorflow/tfjs-core';
import { geometryOf } from './conv-backprop.js';
import { asTensor, inputOf, type KernelArgs, padForTaps, padOrCrop, tapSlice, zeroUpsample, type TensorInfoLike } from './tensor-util.js';

/**
 * `dx` of max pooling, replacing tfjs-backend-wasm 4.22's MaxPoolGrad, which drops gradient entries
 * (seen: a 2×2/2 pool on a [2,4,4,3] input lost one of 24 — tfjs-runtime.md: "the wasm maxPool
 * gradient sometimes disagreed with cpu"). Same rule as the CPU backend: each output's gradient goes
 * to the FIRST input position (row-major within the window) that equals the pooled maximum. Per tap:
 * a mask `x_tap == y` not yet claimed by an earlier tap, `dy·mask` spread back with the stride.
 */
export function maxPoolGradImpl(
  dyInfo: TensorInfoLike,
  inputInfo: TensorInfoLike,
  outputInfo: TensorInfoLike,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(dyInfo);
    const x = asTensor<tf.Rank.R4>(inputInfo);
    const y = asTensor<tf.Rank.R4>(outputInfo);
    const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const g = geometryOf(info);
    const xp = padForTaps(x, g, -Infinity);
    const [n, hp, wp, c] = xp.shape;
    let acc: tf.Tensor4D = tf.zeros([n, hp, wp, c]);
    let unclaimed: tf.Tensor = tf.onesLike(y);
    for (let i = 0; i < info.filterHeight; i++)
      for (let j = 0; j < info.filterWidth; j++) {
        const [nextAcc, nextUnclaimed] = tf.tidy(() => {
          const hit = tf.mul(tf.cast(tf.equal(tapSlice(xp, i, j, g.outH, g.outW, g.sh, g.sw), y), 'float32'), unclaimed);
          const up = zeroUpsample(tf.mul(dy, hit) as tf.Tensor4D, g.sh, g.sw);
          const placed = padOrCrop(up, i, hp - i - up.shape[1], j, wp - j - up.shape[2]);
          return [tf.add(acc, placed) as tf.Tensor4D, tf.sub(unclaimed, hit)];
        });
        acc.dispose();
        unclaimed.dispose();
        acc = nextAcc;
        unclaimed = nextUnclaimed;
      }
    return tf.slice(acc, [0, g.top, g.left, 0], x.shape);
  });
}

/** Kernel configs for the 'wasm' backend (registered by {@link registerWasmTrainingKernels}). */
export const maxPoolGradKernels: tf.KernelConfig[] = [
  {
    kernelName: tf.MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = args.attrs as unknown as tf.MaxPoolGradAttrs;
      return maxPoolGradImpl(inputOf(args, 'dy'), inputOf(args, 'input'), inputOf(args, 'output'), a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    }) as unknown as tf.KernelFunc,
  },
];
