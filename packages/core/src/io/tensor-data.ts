/**
 * Framework-free tensor records as read from checkpoint files. Checkpoint I/O produces these and
 * never touches tfjs; `Module.loadStateDict` is the single place where they become tfjs tensors
 * and where PyTorch layouts are converted.
 */

/** Element types that appear in PyTorch, safetensors and NumPy files. */
export type DType = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Typed-array storage for each dtype. float16/bfloat16 keep their raw bits in a Uint16Array. */
export type TensorStorage = Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** One tensor as stored in a checkpoint, in row-major (C) order with its original shape. */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: TensorStorage;
}

/** A flat state dict: dotted PyTorch parameter names to tensors. */
export type StateDict = Record<string, TensorData>;

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes per element of a dtype. */
export function dtypeSize(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
      return 2;
    default:
      return 1;
  }
}

/** Converts an IEEE half-precision bit pattern to a number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Converts any numeric TensorData to a Float32Array (copying unless it already is one). */
export function toFloat32(t: TensorData): Float32Array {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  const out = new Float32Array(d.length);
  if (t.dtype === 'float16') for (let i = 0; i < d.length; i++) out[i] = halfToFloat((d as Uint16Array)[i]);
  else if (t.dtype === 'bfloat16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < d.length; i++) u[i] = (d as Uint16Array)[i] << 16;
  } else if (d instanceof BigInt64Array) for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  else for (let i = 0; i < d.length; i++) out[i] = Number((d as Float64Array)[i]);
  return out;
}

/** Converts integer/bool TensorData to an Int32Array (tfjs has no int64). */
export function toInt32(t: TensorData): Int32Array {
  const d = t.data;
  if (d instanceof Int32Array) return d;
  const out = new Int32Array(d.length);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const f = toFloat32(t);
    for (let i = 0; i < f.length; i++) out[i] = f[i];
  } else for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  return out;
}

/** Makes a float32 TensorData from a shape and values. */
export function float32Tensor(shape: number[], data: Float32Array | number[]): TensorData {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  if (arr.length !== numel(shape)) throw new RangeError(`float32Tensor: ${arr.length} values for shape [${shape}]`);
  return { dtype: 'float32', shape, data: arr };
}
