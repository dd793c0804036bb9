/**
 * safetensors read/write. Layout: u64 LE header length N, N bytes of JSON header
 * `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`, then the
 * data. The writer reproduces the reference implementation (huggingface/safetensors `tensor.rs`,
 * `prepare` + `Metadata::serialize`): tensors sorted by dtype (largest alignment first, in the Rust
 * `Dtype` enum order) then by name, `__metadata__` first, compact JSON, header padded with spaces to a
 * multiple of 8 bytes. (The Rust metadata map is a HashMap; we write its keys sorted so output is stable.)
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { dtypeSize, numel, type DType, type StateDict } from './tensor-data.js';
import { typedArrayFor } from './torch-tensor.js';

const TO_ST: Record<DType, string> = {
  float64: 'F64', float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));
/** Position in the Rust `Dtype` enum (safetensors 0.4): the writer sorts by it, descending. */
const RUST_ORDER: Record<string, number> = { BOOL: 0, U8: 1, I8: 2, I16: 5, U16: 6, F16: 7, BF16: 8, I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14 };

/** Header size limit of the reference reader (100 MB). */
const MAX_HEADER = 100_000_000;

/** A safetensors file's contents. */
export interface Safetensors {
  stateDict: StateDict;
  /** The `__metadata__` string map, when present. */
  metadata?: Record<string, string>;
}

/** Content sniffing: an 8-byte length that fits the file followed by a JSON object. */
export function isSafetensors(b: Uint8Array): boolean {
  if (b.length < 10) return false;
  const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(b.length - 8) && b[8] === 0x7b; // '{'
}

/** Parses a safetensors file. Tensor data is copied (aligned typed arrays, independent of `bytes`). */
export function readSafetensors(bytes: ArrayBuffer | Uint8Array): Safetensors {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length < 8) throw new CheckpointError(`safetensors file truncated: ${b.length} bytes`, 'E_SAFETENSORS');
  const n64 = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, b.length - 8)))
    throw new CheckpointError(`safetensors header length ${n64} exceeds the file (${b.length} bytes) or the 100 MB limit`, 'E_SAFETENSORS');
  const n = Number(n64);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`safetensors header is not valid JSON: ${(e as Error).message}`, 'E_SAFETENSORS', { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError('safetensors header is not a JSON object', 'E_SAFETENSORS');
  const data = b.subarray(8 + n);
  const stateDict: StateDict = {};
  let metadata: Record<string, string> | undefined;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const bad = (why: string): never => {
      throw new CheckpointError(`safetensors tensor '${name}': ${why}`, 'E_SAFETENSORS');
    };
    if (name === '__proto__') bad('reserved name');
    const { dtype: st, shape, data_offsets: off } = (info ?? {}) as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    const dtype = FROM_ST[st ?? ''] ?? bad(`unsupported dtype '${String(st)}'`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) bad(`bad shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isInteger(x) && x >= 0) || off[0] > off[1]) bad(`bad data_offsets ${JSON.stringify(off)}`);
    const [s, e] = off as [number, number];
    if (e > data.length) bad(`data_offsets [${s}, ${e}] beyond the ${data.length} data bytes (truncated file?)`);
    const want = numel(shape as number[]) * dtypeSize(dtype);
    if (e - s !== want) bad(`${e - s} bytes for shape [${String(shape)}] ${st} (needs ${want})`);
    stateDict[name] = { dtype, shape: [...(shape as number[])], data: typedArrayFor(dtype, data.subarray(s, e)) };
  }
  return metadata ? { stateDict, metadata } : { stateDict };
}

/**
 * Serialises a state dict as safetensors (tensors keep their dtype, shape and C-order data; names and
 * PyTorch layouts are unchanged, so `safetensors.torch.load_file` gives back the same tensors).
 */
export function writeSafetensors(stateDict: StateDict, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(stateDict).map(([name, t]) => {
    const st = TO_ST[t.dtype];
    if (!st) throw new CheckpointError(`writeSafetensors: unsupported dtype '${t.dtype}' for '${name}'`, 'E_SAFETENSORS');
    const nbytes = numel(t.shape) * dtypeSize(t.dtype);
    if (t.data.byteLength !== nbytes) throw new CheckpointError(`writeSafetensors: '${name}' has ${t.data.byteLength} bytes for shape [${t.shape}] ${t.dtype}`, 'E_SAFETENSORS');
    return { name, st, t, nbytes };
  });
  entries.sort((a, b) => RUST_ORDER[b.st] - RUST_ORDER[a.st] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = Object.fromEntries(Object.keys(metadata).sort().map((k) => [k, String(metadata[k])]));
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.st, shape: e.t.shape, data_offsets: [offset, offset + e.nbytes] };
    offset += e.nbytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const e of entries) {
    out.set(new Uint8Array(e.t.data.buffer, e.t.data.byteOffset, e.nbytes), pos);
    pos += e.nbytes;
  }
  return out;
}
