/**
 * Tensors as PyTorch pickles them: a storage (a flat typed buffer identified by a key) viewed with an
 * element offset, a size and a stride (`torch._utils._rebuild_tensor_v2`). Storages of the legacy
 * format come after the pickle that references them, so the unpickler records {@link PendingTensor}s
 * and {@link materialiseTensor} turns them into C-order {@link TensorData} once the bytes are known.
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { dtypeSize, numel, type DType, type TensorData, type TensorStorage } from './tensor-data.js';

/** `torch.<Name>Storage` class names and the dtype of their elements. */
export const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** A storage referenced by a persistent id `('storage', type, key, location, numel[, view])`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    /** Element count declared in the pickle. */
    readonly numel: number,
    /** Legacy storage views `(view_key, offset, size)`: offset (in elements) into the root storage. */
    readonly viewOffset = 0,
  ) {}
}

/** A tensor whose storage bytes are not yet read. */
export class PendingTensor {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

/** Max elements of one tensor (2^31 − 1): larger declared sizes are corruption, not weights. */
const MAX_NUMEL = 2 ** 31 - 1;

function checkDims(name: string, xs: unknown, what: string): number[] {
  if (!Array.isArray(xs) || xs.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0))
    throw new CheckpointError(`tensor ${name}: bad ${what} ${JSON.stringify(xs, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`, 'E_TENSOR');
  return xs as number[];
}

/** Validates `_rebuild_tensor_v2` arguments and makes a {@link PendingTensor}. */
export function pendingTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): PendingTensor {
  if (!(storage instanceof StorageRef)) throw new CheckpointError('_rebuild_tensor: first argument is not a storage', 'E_TENSOR');
  const ref = storage;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new CheckpointError(`tensor on storage '${ref.key}': bad storage offset ${String(offset)}`, 'E_TENSOR');
  const sz = checkDims(`on storage '${ref.key}'`, size, 'size');
  const st = checkDims(`on storage '${ref.key}'`, stride, 'stride');
  if (sz.length !== st.length) throw new CheckpointError(`tensor on storage '${ref.key}': size [${sz}] and stride [${st}] differ in rank`, 'E_TENSOR');
  if (numel(sz) > MAX_NUMEL) throw new CheckpointError(`tensor on storage '${ref.key}': declared size [${sz}] is implausibly large`, 'E_TENSOR');
  return new PendingTensor(ref, offset, sz, st);
}

/**
 * Wraps bytes as the typed array of a dtype. They are copied (so aligned and independent of the file
 * buffer) unless `owned` says the caller hands over a fresh array that starts its own buffer.
 */
export function typedArrayFor(dtype: DType, bytes: Uint8Array, owned = false): TensorStorage {
  const buf = owned && bytes.byteOffset === 0 ? bytes.buffer : bytes.slice().buffer;
  const n = bytes.length / dtypeSize(dtype);
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, n);
    case 'float64': return new Float64Array(buf, 0, n);
    case 'float16': case 'bfloat16': return new Uint16Array(buf, 0, n);
    case 'int64': return new BigInt64Array(buf, 0, n);
    case 'int32': return new Int32Array(buf, 0, n);
    case 'int16': return new Int16Array(buf, 0, n);
    case 'int8': return new Int8Array(buf, 0, n);
    default: return new Uint8Array(buf, 0, n);
  }
}

/** Reverses the byte order of each element in place (storages written on big-endian machines). */
export function swapBytes(bytes: Uint8Array, elemSize: number): void {
  if (elemSize === 1) return;
  for (let i = 0; i + elemSize <= bytes.length; i += elemSize) bytes.subarray(i, i + elemSize).reverse();
}

/**
 * Builds the C-order tensor that a size/stride/offset view of a storage denotes. `storageBytes` are the
 * raw little-endian bytes of the whole (root) storage. Contiguous views are one slice; other views are
 * gathered element by element. Every index is bounds-checked against the storage first.
 */
export function materialiseTensor(t: PendingTensor, storageBytes: Uint8Array, bigEndian = false): TensorData {
  const { dtype, key } = t.storage;
  const es = dtypeSize(dtype);
  const have = Math.floor(storageBytes.length / es);
  const n = numel(t.size);
  const base = t.storage.viewOffset + t.offset;
  if (n > 0) {
    let maxIndex = base;
    for (let d = 0; d < t.size.length; d++) maxIndex += (t.size[d] - 1) * t.stride[d];
    if (maxIndex >= have)
      throw new CheckpointError(
        `storage '${key}' too short for its tensor: ${have} ${dtype} elements, tensor [${t.size}] stride [${t.stride}] offset ${base} needs ${maxIndex + 1}`,
        'E_TENSOR',
      );
  }
  let contiguous = true;
  for (let d = t.size.length - 1, expect = 1; d >= 0; d--) {
    if (t.size[d] !== 1 && t.stride[d] !== expect) contiguous = false;
    expect *= t.size[d];
  }
  let out: Uint8Array;
  if (contiguous || n === 0) out = storageBytes.slice(base * es, (base + n) * es);
  else {
    // Gather whole elements through an integer view of the element size (bit-exact for every dtype).
    const src = storageBytes.byteOffset % es === 0 ? storageBytes : storageBytes.slice();
    const View = es === 8 ? BigUint64Array : es === 4 ? Uint32Array : es === 2 ? Uint16Array : Uint8Array;
    const from = new View(src.buffer as ArrayBuffer, src.byteOffset, have) as Uint32Array;
    const to = new View(n) as Uint32Array;
    const rank = t.size.length;
    const idx = new Array<number>(rank).fill(0);
    let at = base;
    for (let i = 0; i < n; i++) {
      to[i] = from[at];
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        at += t.stride[d];
        if (idx[d] < t.size[d]) break;
        at -= t.stride[d] * t.size[d];
        idx[d] = 0;
      }
    }
    out = new Uint8Array(to.buffer);
  }
  if (bigEndian) swapBytes(out, es);
  return { dtype, shape: [...t.size], data: typedArrayFor(dtype, out, true) };
}
