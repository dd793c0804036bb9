/**
 * The allow-list of Python globals a torch checkpoint may reference, and what each one becomes. This
 * is data reconstruction only: no global is ever imported or run; each allowed name maps to a small
 * TypeScript function that builds the equivalent plain value (dict, list, {@link PendingTensor}, …).
 * The names follow `torch/serialization.py` and `torch/_utils.py` (torch 1.x–2.x) and the
 * `torch.load(weights_only=True)` allow-list (`torch/_weights_only_unpickler.py`).
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { describe, isDict, PyGlobal, PyObject, setKey, type PickleGlobals } from './pickle.js';
import { pendingTensor, STORAGE_DTYPES, StorageRef, typedArrayFor } from './torch-tensor.js';
import { halfToFloat, type DType } from './tensor-data.js';

type Builder = (args: unknown[]) => unknown;

/** A numpy dtype as pickled (`numpy.dtype('f8', False, True)` then BUILD with the byte order). */
class NpDtype {
  byteorder = '<';
  constructor(readonly descr: string) {}
}
/** A numpy array under construction (`_reconstruct(ndarray, (0,), b'b')` then BUILD). */
class NpArrayStub {}

const NP_DTYPES: Record<string, DType> = {
  f8: 'float64', f4: 'float32', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
  float64: 'float64', float32: 'float32', float16: 'float16', int64: 'int64', int32: 'int32', int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

function npDtype(d: unknown): { dtype: DType; big: boolean } {
  if (!(d instanceof NpDtype)) throw new CheckpointError(`numpy reconstruction: expected a dtype, got ${describe(d)}`, 'E_PICKLE');
  const dtype = NP_DTYPES[d.descr];
  if (!dtype) throw new CheckpointError(`numpy dtype '${d.descr}' is not supported`, 'E_PICKLE');
  return { dtype, big: d.byteorder === '>' };
}

function bytesOf(x: unknown, what: string): Uint8Array {
  if (x instanceof Uint8Array) return x;
  // Protocol-2 pickles of Python 3 bytes arrive as latin-1 strings (via _codecs.encode).
  if (typeof x === 'string') return Uint8Array.from(x, (c) => c.charCodeAt(0) & 0xff);
  throw new CheckpointError(`${what}: expected bytes, got ${describe(x)}`, 'E_PICKLE');
}

function dictFromPairs(args: unknown[], what: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  const src = args[0];
  if (src === undefined || src === null) return d;
  if (isDict(src)) return Object.assign(d, src);
  if (!Array.isArray(src)) throw new CheckpointError(`${what}: expected a list of pairs, got ${describe(src)}`, 'E_PICKLE');
  for (const p of src) {
    if (!Array.isArray(p) || p.length !== 2) throw new CheckpointError(`${what}: item is not a (key, value) pair`, 'E_PICKLE');
    setKey(d, p[0], p[1]);
  }
  return d;
}

const rebuildTensor: Builder = (a) => pendingTensor(a[0], a[1], a[2], a[3]);
const passThrough: Builder = (a) => a[0];
const torchDtypeNames = ['float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int64', 'long', 'int32', 'int', 'int16', 'int8', 'uint8', 'bool'];

/** Callables by full name. Each returns the value Python would have built, as plain data. */
const BUILDERS: Record<string, Builder> = {
  'collections.OrderedDict': (a) => dictFromPairs(a, 'OrderedDict'),
  'builtins.dict': (a) => dictFromPairs(a, 'dict'),
  'builtins.list': (a) => (Array.isArray(a[0]) ? [...(a[0] as unknown[])] : []),
  'builtins.tuple': (a) => (Array.isArray(a[0]) ? [...(a[0] as unknown[])] : []),
  'builtins.set': (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
  'builtins.frozenset': (a) => new Set(Array.isArray(a[0]) ? a[0] : []),
  'builtins.slice': (a) => new PyObject('builtins.slice', a),
  'builtins.bytearray': (a) => (a.length ? bytesOf(a[0], 'bytearray') : new Uint8Array(0)),
  'builtins.bytes': (a) => (a.length ? bytesOf(a[0], 'bytes') : new Uint8Array(0)),
  '_codecs.encode': (a) => {
    const enc = String(a[1] ?? 'utf-8').toLowerCase();
    if (typeof a[0] !== 'string') throw new CheckpointError('_codecs.encode: expected a str', 'E_PICKLE');
    if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1') return bytesOf(a[0], 'encode');
    if (enc === 'utf-8' || enc === 'utf8') return new TextEncoder().encode(a[0]);
    throw new CheckpointError(`_codecs.encode: unsupported encoding '${enc}'`, 'E_PICKLE');
  },
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': passThrough,
  'torch._utils._rebuild_parameter_with_state': passThrough,
  'torch._tensor._rebuild_from_type_v2': (a) => callGlobal(a[0], a[2]),
  'torch._tensor._rebuild_from_type': (a) => callGlobal(a[0], a[2]),
  'torch.Size': (a) => (Array.isArray(a[0]) ? [...(a[0] as unknown[])] : []),
  'torch.device': (a) => (a.length > 1 && a[1] !== null ? `${String(a[0])}:${String(a[1])}` : String(a[0])),
  'argparse.Namespace': () => ({}),
  'numpy.dtype': (a) => new NpDtype(String(a[0])),
  'numpy.core.multiarray.scalar': numpyScalar,
  'numpy._core.multiarray.scalar': numpyScalar,
  'numpy.core.multiarray._reconstruct': () => new NpArrayStub(),
  'numpy._core.multiarray._reconstruct': () => new NpArrayStub(),
  'copyreg._reconstructor': (a) => callGlobal(a[0], []),
};

/** Globals that are values, not called (`torch.float32`, `torch.Tensor` passed to _rebuild_from_type_v2). */
const VALUES = new Set<string>([
  'torch.Tensor', 'torch.nn.parameter.Parameter', 'numpy.ndarray',
  ...torchDtypeNames.map((d) => `torch.${d}`),
  ...Object.keys(STORAGE_DTYPES).flatMap((s) => [`torch.${s}`, `torch.cuda.${s}`]),
  'torch.UntypedStorage', 'torch.storage.UntypedStorage', 'torch.storage.TypedStorage',
]);

function callGlobal(fn: unknown, args: unknown): unknown {
  if (!(fn instanceof PyGlobal)) throw new CheckpointError(`expected a callable global, got ${describe(fn)}`, 'E_PICKLE');
  if (!Array.isArray(args)) throw new CheckpointError(`${fn.fullName}: arguments are not a tuple`, 'E_PICKLE');
  return torchGlobalsCall(fn, args as unknown[]);
}

function numpyScalar(a: unknown[]): unknown {
  const { dtype, big } = npDtype(a[0]);
  const raw = bytesOf(a[1], 'numpy scalar').slice();
  if (big) raw.reverse();
  const v = typedArrayFor(dtype, raw, true);
  if (v.length !== 1) throw new CheckpointError(`numpy scalar: ${raw.length} bytes for one ${dtype}`, 'E_PICKLE');
  const x = v[0];
  return dtype === 'bool' ? x !== 0 : typeof x === 'bigint' ? Number(x) : dtype === 'float16' ? halfToFloat(x as number) : x;
}

/** Module classes (whole-model pickles) become inert {@link PyObject} records. */
function isModuleClass(full: string): boolean {
  return /^torch\.nn\.modules\.[a-z_.]+\.[A-Z]\w*$/.test(full);
}

function torchGlobalsCall(fn: PyGlobal, args: unknown[]): unknown {
  const b = BUILDERS[fn.fullName];
  if (b) return b(args);
  if (isModuleClass(fn.fullName) || fn.fullName === 'torch.nn.parameter.Parameter') return new PyObject(fn.fullName, args);
  throw new CheckpointError(`global '${fn.fullName}' cannot be called while unpickling`, 'E_PICKLE');
}

function applyState(obj: unknown, state: unknown): unknown {
  if (obj instanceof NpDtype) {
    if (Array.isArray(state) && typeof state[1] === 'string') obj.byteorder = state[1];
    return obj;
  }
  if (obj instanceof NpArrayStub) {
    // state = (version, shape, dtype, is_fortran, rawdata) — numpy's ndarray.__setstate__.
    if (!Array.isArray(state) || state.length < 5) throw new CheckpointError('numpy array: unexpected state', 'E_PICKLE');
    const [, shape, dt, fortran, raw] = state as unknown[];
    const { dtype, big } = npDtype(dt);
    if (fortran) throw new CheckpointError('numpy array in Fortran order is not supported', 'E_PICKLE');
    const sh = (shape as unknown[]).map(Number);
    const bytes = bytesOf(raw, 'numpy array data').slice();
    const data = typedArrayFor(dtype, big ? bytes.reverse() : bytes, true);
    if (big) data.reverse();
    if (data.length !== sh.reduce((x, y) => x * y, 1)) throw new CheckpointError(`numpy array: ${data.length} elements for shape [${sh}]`, 'E_PICKLE');
    return { dtype, shape: sh, data };
  }
  if (obj instanceof PyObject) {
    obj.state = state;
    return obj;
  }
  // argparse.Namespace and friends: state is the instance __dict__ (possibly (dict, slots)).
  if (isDict(obj)) {
    const st = Array.isArray(state) ? state[0] : state;
    // An OrderedDict's instance dict (torch's state_dict `_metadata`) is attribute data, not items.
    if (isDict(st) && !('_metadata' in st && Object.keys(st).length === 1)) for (const [k, v] of Object.entries(st)) setKey(obj, k, v);
    return obj;
  }
  // Tensors (backward hooks / requires_grad state) and anything else: the state carries no weights.
  return obj;
}

/** The allow-list used for every torch pickle: see the module comment for what it accepts. */
export function torchGlobals(): PickleGlobals {
  return {
    allowed(module, name) {
      const full = `${module}.${name}`;
      return full in BUILDERS || VALUES.has(full) || isModuleClass(full);
    },
    call: torchGlobalsCall,
    build: applyState,
    persistentLoad(pid) {
      if (typeof pid === 'string') throw new CheckpointError(`unsupported text persistent id '${pid.slice(0, 40)}'`, 'E_PICKLE');
      if (!Array.isArray(pid) || pid[0] !== 'storage') {
        const kind = Array.isArray(pid) ? String(pid[0]) : describe(pid);
        throw new CheckpointError(
          kind === 'module' ? 'checkpoint pickles a whole nn.Module (legacy source-code record); save model.state_dict() instead' : `unsupported persistent id '${kind}'`,
          'E_PICKLE',
        );
      }
      const [, type, key, , count, view] = pid as unknown[];
      const tname = type instanceof PyGlobal ? type.name : String(type);
      const dtype: DType | undefined = tname === 'UntypedStorage' ? 'uint8' : STORAGE_DTYPES[tname];
      if (!dtype) throw new CheckpointError(`unsupported storage type '${describe(type)}'`, 'E_PICKLE');
      if (typeof key !== 'string' && typeof key !== 'number') throw new CheckpointError('storage key is not a string', 'E_PICKLE');
      const n = typeof count === 'number' ? count : Number(count ?? 0);
      let viewOffset = 0;
      if (Array.isArray(view) && typeof view[1] === 'number') viewOffset = view[1];
      return new StorageRef(String(key), dtype, n, viewOffset);
    },
  };
}
