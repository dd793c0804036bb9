import { CheckpointError } from '../errors/index.js';
import { numel, type DType, type TensorData } from './tensor-data.js';

const DESCR: Record<string, DType> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '<i8': 'int64', '<i4': 'int32', '<i2': 'int16',
  '|i1': 'int8', '|u1': 'uint8', '|b1': 'bool', '<u1': 'uint8',
};

/**
 * Reads a NumPy `.npy` file (format 1.0–3.0, little-endian, C order) into a {@link TensorData}.
 * Fortran-order and big-endian arrays are rejected with a clear error rather than misread.
 */
export function readNpy(bytes: ArrayBuffer | Uint8Array): TensorData {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (u8.length < 10 || magic.some((b, i) => u8[i] !== b)) throw new CheckpointError('not a .npy file (bad magic)', 'E_NPY');
  const major = u8[6];
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > u8.length) throw new CheckpointError('truncated .npy header', 'E_NPY');
  const header = new TextDecoder('latin1').decode(u8.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new CheckpointError(`unparseable .npy header: ${header.trim()}`, 'E_NPY');
  if (fortran === 'True') throw new CheckpointError('Fortran-order .npy arrays are not supported; save with np.ascontiguousarray', 'E_NPY');
  const dtype = DESCR[descr];
  if (!dtype) throw new CheckpointError(`unsupported .npy dtype '${descr}' (big-endian or exotic)`, 'E_NPY');
  const shape = shapeStr.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new CheckpointError(`bad .npy shape (${shapeStr})`, 'E_NPY');
  const n = numel(shape);
  if (!Number.isSafeInteger(n)) throw new CheckpointError(`.npy shape (${shapeStr}) is implausibly large`, 'E_NPY');
  const off = start + headerLen;
  // copy: aligned, independent of the input buffer (Uint8Array's slice: Node Buffer#slice is a view of its pool)
  const body = Uint8Array.prototype.slice.call(u8, off).buffer;
  const need = n * ({ float64: 8, int64: 8, float32: 4, int32: 4, float16: 2, int16: 2 } as Record<string, number>)[dtype]! || n;
  if (body.byteLength < need) throw new CheckpointError(`truncated .npy data: ${body.byteLength} bytes for shape [${shape}] ${descr}`, 'E_NPY');
  const data =
    dtype === 'float32' ? new Float32Array(body, 0, n)
    : dtype === 'float64' ? new Float64Array(body, 0, n)
    : dtype === 'float16' ? new Uint16Array(body, 0, n)
    : dtype === 'int64' ? new BigInt64Array(body, 0, n)
    : dtype === 'int32' ? new Int32Array(body, 0, n)
    : dtype === 'int16' ? new Int16Array(body, 0, n)
    : dtype === 'int8' ? new Int8Array(body, 0, n)
    : new Uint8Array(body, 0, n);
  return { dtype, shape, data };
}

const NPY_DESCR: Partial<Record<DType, string>> = {
  float32: '<f4', float64: '<f8', float16: '<f2', int64: '<i8', int32: '<i4', int16: '<i2', int8: '|i1', uint8: '|u1', bool: '|b1',
};

/**
 * Writes a {@link TensorData} as a NumPy `.npy` file (format 1.0, little-endian, C order), the layout
 * `numpy.save` (numpy ≥ 1.23) produces byte for byte: magic, header dict padded with spaces to a multiple of 64 bytes, raw data.
 * A bare Float32Array is written as a 1-D float32 array.
 */
export function writeNpy(t: TensorData | Float32Array, shape?: number[]): Uint8Array {
  const td: TensorData = t instanceof Float32Array ? { dtype: 'float32', shape: shape ?? [t.length], data: t } : t;
  const descr = NPY_DESCR[td.dtype];
  if (!descr) throw new CheckpointError(`writeNpy: dtype '${td.dtype}' has no .npy equivalent`, 'E_NPY');
  if (numel(td.shape) !== td.data.length) throw new CheckpointError(`writeNpy: ${td.data.length} values for shape [${td.shape}]`, 'E_NPY');
  const shapeStr = td.shape.length === 1 ? `(${td.shape[0]},)` : `(${td.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // numpy ≥ 1.23 leaves room for the first axis to grow to 21 digits (GROWTH_AXIS_MAX_DIGITS).
  if (td.shape.length) header += ' '.repeat(Math.max(0, 21 - String(td.shape[0]).length));
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + td.data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(td.data.buffer, td.data.byteOffset, td.data.byteLength), 10 + header.length);
  return out;
}
