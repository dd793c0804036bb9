/**
 * PyTorch `torch.save` containers, read without Python:
 * - zip format (torch ≥ 1.6, `_use_new_zipfile_serialization`): `<archive>/data.pkl` is the pickle,
 *   `<archive>/data/<key>` the raw storages, `<archive>/byteorder` ('little' when absent);
 * - legacy format (torch < 1.6): pickles of the magic number, protocol version and sys_info, the main
 *   pickle, the list of storage keys, then per key an int64 element count and the raw storage bytes
 *   (`torch/serialization.py`, `_legacy_save` / `_legacy_load`);
 * - either one gzipped.
 * @module
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { CheckpointError } from '../errors/index.js';
import { gzipDeclaredSize, inflateBounded } from '../limits/bounded-inflate.js';
import { resolveMaxInflateBytes } from '../limits/resource-limits.js';
import { dtypeSize } from './tensor-data.js';
import { isDict, PyGlobal, PyObject, unpickle, type PickleGlobals } from './pickle.js';
import { torchGlobals } from './torch-globals.js';
import { materialiseTensor, PendingTensor, StorageRef } from './torch-tensor.js';

/** `torch.serialization.MAGIC_NUMBER`. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** True when bytes start with the gzip magic (1f 8b). */
export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** True when bytes start with a zip local-file header (`PK\x03\x04`). */
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** Limits of the checkpoint readers. */
export interface CheckpointLimitOptions {
  /**
   * Most bytes a gzip stream, or the compressed entries of a zip together, may inflate to (default:
   * `$SR_MAX_INFLATE_BYTES`, else {@link DEFAULT_MAX_INFLATE_BYTES} = 1 GiB). Zip storages are further
   * bounded by the bytes the pickle declares for them.
   */
  maxInflateBytes?: number;
}

const checkpointError = (message: string, code: string) => new CheckpointError(message, code);

/** First bytes of an inflated checkpoint: zip, pickle, safetensors (JSON header), or nested gzip. */
function sniffCheckpoint(head: Uint8Array): void {
  const safetensorsLike = head.length >= 9 && head[8] === 0x7b;
  if (isZip(head) || head[0] === 0x80 || isGzip(head) || safetensorsLike) return;
  const hex = Array.from(head.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(`gzip content is not a PyTorch or safetensors checkpoint: leading bytes ${hex} (stopped inflating)`, 'E_CHECKPOINT');
}

/**
 * Decompresses a gzipped checkpoint with a running byte count: corrupt or truncated streams, streams
 * declaring (trailer ISIZE) or producing more than the limit, and content that does not start like a
 * checkpoint all fail with a {@link CheckpointError} before the output is held in memory.
 */
export function gunzip(b: Uint8Array, opts: CheckpointLimitOptions = {}): Uint8Array {
  const maxBytes = resolveMaxInflateBytes(opts.maxInflateBytes);
  const declared = gzipDeclaredSize(b);
  if (declared !== undefined && declared > maxBytes)
    throw new CheckpointError(`gzip stream declares ${declared} uncompressed bytes, above the ${maxBytes}-byte limit (maxInflateBytes / SR_MAX_INFLATE_BYTES)`, 'E_INFLATE_LIMIT');
  return inflateBounded(b, 'gzip', { maxBytes, sniff: sniffCheckpoint, error: checkpointError, what: 'gzip stream' });
}

/** Extracts the entries `want` accepts from a zip, refusing any whose declared size `want` rejects. */
function extract(bytes: Uint8Array, want: (f: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter: want });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`corrupt or truncated zip archive: ${(e as Error).message}`, 'E_ZIP', { cause: e });
  }
}

/** A globals table that records every storage referenced, so legacy storages know their dtype. */
function recordingGlobals(seen: Map<string, StorageRef>): PickleGlobals {
  const g = torchGlobals();
  return {
    ...g,
    persistentLoad(pid) {
      const ref = g.persistentLoad(pid) as StorageRef;
      seen.set(ref.key, ref);
      return ref;
    },
  };
}

/**
 * Reads a zip-format checkpoint into its unpickled object, tensors materialised. Inflation is bounded
 * before anything is allocated: `data.pkl` by the limit, each storage entry by the bytes the pickle
 * declares for it (fflate allocates an entry's declared size up front), all of them together by the limit.
 */
export function readZipCheckpoint(bytes: Uint8Array, opts: CheckpointLimitOptions = {}): unknown {
  const maxBytes = resolveMaxInflateBytes(opts.maxInflateBytes);
  const names: string[] = [];
  const tooBig = (f: UnzipFileInfo, limit: number, why: string): never => {
    throw new CheckpointError(`zip entry '${f.name}' declares ${f.originalSize} uncompressed bytes, above ${limit} (${why})`, 'E_INFLATE_LIMIT');
  };
  const isMeta = (n: string) => n === 'data.pkl' || n.endsWith('/data.pkl') || n === 'byteorder' || n.endsWith('/byteorder');
  const files = extract(bytes, (f) => {
    names.push(f.name);
    if (!isMeta(f.name)) return false;
    if (f.compression !== 0 && f.originalSize > maxBytes) tooBig(f, maxBytes, 'the maxInflateBytes limit');
    return true;
  });
  const pkl = Object.keys(files).find((f) => f === 'data.pkl' || f.endsWith('/data.pkl'));
  if (!pkl) throw new CheckpointError(`zip archive has no data.pkl (entries: ${names.slice(0, 5).join(', ')}); not a torch.save file`, 'E_ZIP');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const order = files[`${prefix}byteorder`] ? new TextDecoder().decode(files[`${prefix}byteorder`]).trim() : 'little';
  if (order !== 'little' && order !== 'big') throw new CheckpointError(`unknown byteorder '${order}' in zip checkpoint`, 'E_ZIP');
  const seen = new Map<string, StorageRef>();
  const { value } = unpickle(files[pkl], recordingGlobals(seen));
  const claimed = new Map<string, number>();
  for (const ref of seen.values()) claimed.set(`${prefix}data/${ref.key}`, ref.numel * dtypeSize(ref.dtype));
  let total = 0;
  const data = extract(bytes, (f) => {
    const need = claimed.get(f.name);
    if (need === undefined) return false;
    if (f.originalSize > need) tooBig(f, need, 'the bytes its storage holds according to data.pkl');
    if (f.compression !== 0) total += f.originalSize; // stored entries are copied from the file, not inflated
    if (total > maxBytes) tooBig(f, maxBytes, 'the maxInflateBytes limit for all compressed storages together');
    return true;
  });
  const storage = (ref: StorageRef): Uint8Array => {
    const b = data[`${prefix}data/${ref.key}`];
    if (!b) throw new CheckpointError(`storage '${ref.key}' missing from the zip archive (${prefix}data/${ref.key})`, 'E_ZIP');
    if (b.length < ref.numel * dtypeSize(ref.dtype))
      throw new CheckpointError(`storage '${ref.key}' too short: ${b.length} bytes, pickle declares ${ref.numel} ${ref.dtype} elements`, 'E_ZIP');
    return b;
  };
  return resolveTensors(value, (t) => materialiseTensor(t, storage(t.storage), order === 'big'));
}

/** Reads a legacy (pre-1.6) checkpoint. */
export function readLegacyCheckpoint(bytes: Uint8Array): unknown {
  const seen = new Map<string, StorageRef>();
  const g = recordingGlobals(seen);
  const magic = unpickle(bytes, g, 0);
  if (magic.value !== LEGACY_MAGIC && magic.value !== Number(LEGACY_MAGIC)) {
    // Not torch's legacy container: a single plain pickle (e.g. a dict of numpy arrays).
    return resolveTensors(magic.value, (t) => {
      throw new CheckpointError(`plain pickle references torch storage '${t.storage.key}' that it does not contain`, 'E_PICKLE');
    });
  }
  const proto = unpickle(bytes, g, magic.end);
  if (proto.value !== 1001) throw new CheckpointError(`legacy checkpoint: unsupported protocol version ${String(proto.value)} (expected 1001)`, 'E_LEGACY');
  const sys = unpickle(bytes, g, proto.end);
  const bigEndian = isDict(sys.value) && sys.value.little_endian === false;
  const main = unpickle(bytes, g, sys.end);
  const keysP = unpickle(bytes, g, main.end);
  if (!Array.isArray(keysP.value)) throw new CheckpointError('legacy checkpoint: storage key list missing after the main pickle', 'E_LEGACY');
  const storages = new Map<string, Uint8Array>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keysP.end;
  for (const k of keysP.value as unknown[]) {
    const key = String(k);
    const ref = seen.get(key);
    if (!ref) throw new CheckpointError(`legacy checkpoint: storage '${key}' is not referenced by the pickle`, 'E_LEGACY');
    if (pos + 8 > bytes.length) throw new CheckpointError(`legacy checkpoint truncated: no size header for storage '${key}' at byte ${pos}`, 'E_LEGACY');
    const count = dv.getBigInt64(pos, !bigEndian);
    pos += 8;
    const nbytes = count * BigInt(dtypeSize(ref.dtype));
    if (count < 0n || nbytes > BigInt(bytes.length - pos))
      throw new CheckpointError(`legacy checkpoint truncated: storage '${key}' declares ${count} ${ref.dtype} elements, only ${bytes.length - pos} bytes left`, 'E_LEGACY');
    storages.set(key, bytes.subarray(pos, pos + Number(nbytes)));
    pos += Number(nbytes);
  }
  return resolveTensors(main.value, (t) => {
    const b = storages.get(t.storage.key);
    if (!b) throw new CheckpointError(`legacy checkpoint: storage '${t.storage.key}' missing from the file`, 'E_LEGACY');
    return materialiseTensor(t, b, bigEndian);
  });
}

/**
 * Reads any `torch.save` output (zip or legacy, optionally gzipped) into the unpickled object, with
 * tensors as {@link TensorData}. Other allow-listed objects: dicts → objects, tuples/lists → arrays,
 * sets → `Set`, bytes → `Uint8Array`, huge ints → `bigint`, class instances → {@link PyObject}.
 */
export function readPthObject(bytes: Uint8Array, opts: CheckpointLimitOptions = {}): unknown {
  if (isGzip(bytes)) bytes = gunzip(bytes, opts);
  if (bytes.length === 0) throw new CheckpointError('empty checkpoint file', 'E_CHECKPOINT');
  try {
    if (isZip(bytes)) return readZipCheckpoint(bytes, opts);
    if (bytes[0] === 0x80) return readLegacyCheckpoint(bytes);
  } catch (e) {
    if (e instanceof RangeError) throw new CheckpointError(`checkpoint too deeply nested or too large: ${e.message}`, 'E_CHECKPOINT', { cause: e });
    throw e;
  }
  const head = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(`not a PyTorch checkpoint: unknown leading bytes ${head} (expected zip 'PK', a pickle 0x80, or gzip)`, 'E_CHECKPOINT');
}

/** Replaces every {@link PendingTensor} in a value tree (in place; shared and cyclic references are fine). */
function resolveTensors(root: unknown, make: (t: PendingTensor) => unknown): unknown {
  const done = new Map<PendingTensor, unknown>();
  const visited = new Set<object>();
  const fix = (x: unknown): unknown => {
    if (x instanceof PendingTensor) {
      if (!done.has(x)) done.set(x, make(x));
      return done.get(x);
    }
    if (x instanceof PyGlobal) return x.fullName;
    if (x instanceof StorageRef) return { storage: x.key, dtype: x.dtype, numel: x.numel };
    if (typeof x !== 'object' || x === null || visited.has(x) || ArrayBuffer.isView(x)) return x;
    visited.add(x);
    if (Array.isArray(x)) for (let i = 0; i < x.length; i++) x[i] = fix(x[i]);
    else if (x instanceof Set) {
      const items = [...x].map(fix);
      x.clear();
      for (const i of items) x.add(i);
    } else if (x instanceof PyObject) {
      for (let i = 0; i < x.args.length; i++) x.args[i] = fix(x.args[i]);
      x.state = fix(x.state);
    } else if (isDict(x)) for (const k of Object.keys(x)) x[k] = fix(x[k]);
    return x;
  };
  return fix(root);
}
