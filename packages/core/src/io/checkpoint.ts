/**
 * Checkpoint entry points: read any supported file (PyTorch `.pth` zip or legacy, gzipped or not,
 * `.safetensors`) from any {@link CheckpointSource}, and find the state dict inside nested training
 * checkpoints (BasicSR `params_ema`, LIIF `model.sd`, mmcv `state_dict`, …).
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { isDict } from './pickle.js';
import { gunzip, isGzip, readPthObject, type CheckpointLimitOptions } from './pth.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import { sourceBytes, sourceName, type CheckpointSource } from './source.js';
import type { StateDict, TensorData } from './tensor-data.js';

export type { CheckpointSource } from './source.js';

/** Options of {@link readCheckpoint}. */
export interface ReadCheckpointOptions extends CheckpointLimitOptions {
  /** Dotted path of the state dict inside a nested checkpoint, e.g. `'model.sd'` or `'params_ema'`. */
  key?: string;
}

/**
 * Where state dicts live in the training checkpoints of the projects we port, in order of preference.
 * `params_ema` before `params`: BasicSR evaluates with the EMA weights when they exist.
 */
export const WELL_KNOWN_STATE_DICT_KEYS = ['params_ema', 'params', 'state_dict', 'model.sd', 'model', 'sd', 'generator', 'net_g', 'netG', 'network', 'net', 'model_state_dict', 'weights'];

/** True for a {@link TensorData} record (as produced by the readers). */
export function isTensorData(x: unknown): x is TensorData {
  return isDict(x) && typeof x.dtype === 'string' && Array.isArray(x.shape) && ArrayBuffer.isView(x.data);
}

/** True for a non-empty dict whose values are all tensors. */
export function isStateDict(x: unknown): x is StateDict {
  if (!isDict(x)) return false;
  const vals = Object.values(x);
  return vals.length > 0 && vals.every(isTensorData);
}

/** Parses bytes of any supported checkpoint format into the stored object (see {@link readPthObject}). */
export function parseCheckpointBytes(bytes: Uint8Array, opts: CheckpointLimitOptions = {}): unknown {
  if (isGzip(bytes)) bytes = gunzip(bytes, opts);
  if (isSafetensors(bytes)) {
    const { stateDict, metadata } = readSafetensors(bytes);
    // Non-enumerable, so the object still is a plain dict of tensors for selectStateDict.
    if (metadata) Object.defineProperty(stateDict, '__metadata__', { value: metadata, enumerable: false });
    return stateDict;
  }
  return readPthObject(bytes, opts);
}

/**
 * Reads a whole checkpoint object: nested dicts/lists/numbers/strings as plain JS values and every
 * tensor as {@link TensorData}. Safetensors files give their state dict (metadata, if any, as a
 * non-enumerable `__metadata__` property).
 */
export async function readCheckpointObject(source: CheckpointSource, opts: CheckpointLimitOptions = {}): Promise<unknown> {
  return parseCheckpointBytes(await sourceBytes(source), opts);
}

/** Follows a dotted path (`'model.sd'`) into a nested object; undefined when a step is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (!isDict(cur) || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Dotted paths of every state dict (dict of tensors) inside a checkpoint object, up to `maxDepth`. */
export function findStateDicts(obj: unknown, maxDepth = 4): string[] {
  const out: string[] = [];
  const walk = (x: unknown, path: string, depth: number): void => {
    if (isStateDict(x)) {
      out.push(path);
      return;
    }
    if (!isDict(x) || depth >= maxDepth) return;
    for (const [k, v] of Object.entries(x)) walk(v, path ? `${path}.${k}` : k, depth + 1);
  };
  walk(obj, '', 0);
  return out;
}

/**
 * Picks the state dict of a checkpoint object: the explicit dotted `key`; else the top level when it is
 * a dict of tensors; else the first {@link WELL_KNOWN_STATE_DICT_KEYS} entry that is one; else the only
 * dict of tensors found anywhere. Throws a {@link CheckpointError} listing the candidates otherwise.
 */
export function selectStateDict(obj: unknown, key?: string, name = 'checkpoint'): { stateDict: StateDict; key: string } {
  if (key !== undefined && key !== '') {
    const v = getPath(obj, key);
    if (v === undefined) throw new CheckpointError(`${name}: key '${key}' not found (top-level keys: ${topKeys(obj)})`, 'E_KEY');
    if (!isStateDict(v)) throw new CheckpointError(`${name}: '${key}' is not a dict of tensors (candidates: ${findStateDicts(obj).map(q).join(', ') || 'none'})`, 'E_KEY');
    return { stateDict: v, key };
  }
  if (isStateDict(obj)) return { stateDict: obj, key: '' };
  for (const k of WELL_KNOWN_STATE_DICT_KEYS) {
    const v = getPath(obj, k);
    if (isStateDict(v)) return { stateDict: v, key: k };
  }
  const found = findStateDicts(obj);
  if (found.length === 1) return { stateDict: getPath(obj, found[0]) as StateDict, key: found[0] };
  if (found.length === 0) throw new CheckpointError(`${name}: no state dict (dict of tensors) found; top-level keys: ${topKeys(obj)}`, 'E_KEY');
  throw new CheckpointError(`${name}: ambiguous state dict, candidates ${found.map(q).join(', ')}; pass { key } to choose`, 'E_KEY');
}

/**
 * Reads a checkpoint and returns its flat state dict `{name: {dtype, shape, data}}` with the original
 * PyTorch names and layouts. See {@link selectStateDict} for how nested checkpoints are resolved.
 */
export async function readCheckpoint(source: CheckpointSource, opts: ReadCheckpointOptions = {}): Promise<StateDict> {
  const obj = await readCheckpointObject(source, opts);
  return selectStateDict(obj, opts.key, sourceName(source)).stateDict;
}

/**
 * Keeps the entries whose key starts with `prefix` and removes it (mmcv's CiaoSR checkpoints store
 * `state_dict['generator.' + key]`). Entries without the prefix are dropped.
 */
export function stripPrefix(sd: StateDict, prefix: string): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/** Adds `prefix` to every key. */
export function addPrefix(sd: StateDict, prefix: string): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) out[prefix + k] = v;
  return out;
}

function q(s: string): string {
  return `'${s}'`;
}

function topKeys(obj: unknown): string {
  if (!isDict(obj)) return `(not a dict: ${Array.isArray(obj) ? 'list' : obj === null ? 'None' : typeof obj})`;
  const ks = Object.keys(obj);
  return ks.length > 20 ? `${ks.slice(0, 20).join(', ')}, … (${ks.length})` : ks.join(', ') || '(empty)';
}
