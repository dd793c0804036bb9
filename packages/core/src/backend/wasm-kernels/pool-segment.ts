import * as tf from '@tensorflow/tfjs-core';
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
    const g = {
      top: info.padInfo.top,
      left: info.padInfo.left,
      outH: info.outHeight,
      outW: info.outWidth,
      sh: info.strideHeight,
      sw: info.strideWidth,
      effH: info.effectiveFilterHeight,
      effW: info.effectiveFilterWidth,
    };
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

/**
 * `tf.unsortedSegmentSum` for the WASM backend (the gradient of `tf.gather`): a scatter-add of the
 * rows of `x` into `numSegments` rows with the backend's ScatterNd kernel (which sums duplicate
 * indices) — O(rows·width), unlike a one-hot matMul. Ids outside `[0, numSegments)` are dropped, as
 * in TensorFlow and the CPU backend.
 */
export function unsortedSegmentSumImpl(xInfo: TensorInfoLike, idsInfo: TensorInfoLike, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const x = asTensor(xInfo);
    const ids = tf.reshape(asTensor(idsInfo), [-1]);
    const k = ids.shape[0];
    const rest = x.shape.slice(asTensor(idsInfo).rank);
    const width = rest.reduce((a, b) => a * b, 1);
    const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
    const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
    const rows = tf.mul(tf.reshape(x, [k, width]), tf.cast(tf.reshape(valid, [k, 1]), x.dtype));
    const out = tf.scatterND(tf.reshape(tf.cast(safeIds, 'int32'), [k, 1]), rows, [numSegments, width]);
    return tf.reshape(out, [numSegments, ...rest]);
  });
}


/** Kernel configs for the 'wasm' backend (registered by {@link registerWasmTrainingKernels}). */
export const poolSegmentKernels: tf.KernelConfig[] = [
  {
    kernelName: tf.MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = args.attrs as unknown as tf.MaxPoolGradAttrs;
      return maxPoolGradImpl(inputOf(args, 'dy'), inputOf(args, 'input'), inputOf(args, 'output'), a.filterSize, a.strides, a.pad, a.dimRoundingMode);
    }) as unknown as tf.KernelFunc,
  },
  {
    kernelName: tf.UnsortedSegmentSum,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const a = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
      return unsortedSegmentSumImpl(inputOf(args, 'x'), inputOf(args, 'segmentIds'), a.numSegments);
    }) as unknown as tf.KernelFunc,
  },
];
