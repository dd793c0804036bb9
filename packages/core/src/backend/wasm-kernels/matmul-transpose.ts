import * as tf from '@tensorflow/tfjs-core';

/**
 * BatchMatMul with transposed operands for the WASM backend. tfjs-backend-wasm 4.22 multiplies with
 * XNNPACK only when neither operand is transposed; `transposeA`/`transposeB` take a scalar path about
 * 10× slower. Every backward pass hits it — `dX = dY·Wᵀ` and `dW = Xᵀ·dY` for each Linear/matMul —
 * measured on a CiaoSR training step (18432 queries): `[18432,320]·[128,320]ᵀ` 993 ms and
 * `[18432,128]ᵀ·[18432,320]` 1015 ms. Materialising the transpose first (XNNPACK's transpose, a few
 * ms) and calling the backend's own kernel without transposes gives the same products fast.
 *
 * The transpose runs the Transpose kernel on the input's TensorInfo directly: wrapping the input in a
 * second tensor handle (`makeTensorFromTensorInfo`, which does not raise the data's reference count)
 * and disposing that handle freed the data of tensors still in use — e.g. a `tf.reshape` view of a
 * tensor used as `b` with `transposeB` freed the original tensor's data (issue #20).
 */
export function transposingBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: unknown }) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const swapLast = (t: tf.TensorInfo): tf.Tensor => {
      const r = t.shape.length;
      const perm = [...Array(r).keys()];
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      // No new handle on t's data (see above): the kernel reads the TensorInfo, returns a new tensor.
      return tf.engine().runKernel(tf.Transpose, { x: t } as unknown as tf.NamedTensorMap, { perm } as unknown as tf.NamedAttrMap) as tf.Tensor;
    };
    const at = transposeA ? swapLast(a) : null;
    const bt = transposeB ? swapLast(b) : null;
    try {
      return original({
        ...args,
        inputs: { a: at ?? a, b: bt ?? b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      } as unknown as Parameters<tf.KernelFunc>[0]);
    } finally {
      at?.dispose();
      bt?.dispose();
    }
  }) as unknown as tf.KernelFunc;
}
