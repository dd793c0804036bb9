/**
 * A Python pickle reader (protocols 0–5) that never executes or imports anything. Globals are looked
 * up in an allow-list supplied by the caller ({@link PickleGlobals}); any other global is rejected
 * with a {@link CheckpointError} naming it. Every opcode consumes at least one byte and every length is
 * checked against the bytes left, so a corrupted or malicious pickle ends in an error, never a hang.
 * Opcode semantics follow CPython's `Lib/pickle.py` (`_Unpickler.load_*`).
 * @module
 */
import { CheckpointError } from '../errors/index.js';

/** A reference to an allow-listed Python global (`module.name`), callable through {@link PickleGlobals}. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  /** `module.name`. */
  get fullName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allow-listed Python class kept as data: class name, constructor args and state. */
export class PyObject {
  constructor(readonly className: string, readonly args: unknown[] = [], public state: unknown = undefined) {}
}

/**
 * How the unpickler resolves globals and persistent ids. `call` builds the value of `callable(*args)`
 * for an allow-listed callable; `build` applies a BUILD state (`obj.__setstate__(state)`).
 */
export interface PickleGlobals {
  /** Whether `module.name` may be referenced at all. */
  allowed(module: string, name: string): boolean;
  /** Value of calling an allow-listed global with positional args (REDUCE, NEWOBJ, INST, OBJ). */
  call(fn: PyGlobal, args: unknown[]): unknown;
  /** Applies BUILD's state to an object; returns the (possibly new) object. */
  build(obj: unknown, state: unknown): unknown;
  /** Resolves a persistent id (torch storages). */
  persistentLoad(pid: unknown): unknown;
}

/** Python 2 module names written by protocol-2 pickles, mapped as CPython's `_compat_pickle` does. */
const PY2_MODULES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const decoder = new TextDecoder('utf-8');

/** Converts a Python dict key to a JS object key (ints, bools and None are stringified as Python prints them). */
export function dictKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null) return 'None';
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  if (Array.isArray(k)) return `(${k.map(dictKey).join(', ')})`;
  throw new CheckpointError(`unsupported dict key type in pickle: ${Object.prototype.toString.call(k)}`, 'E_PICKLE');
}

/** Sets `obj[key] = value` without ever touching the prototype (a `__proto__` key stays a plain key). */
export function setKey(obj: Record<string, unknown>, key: unknown, value: unknown): void {
  const k = dictKey(key);
  if (k === '__proto__') Object.defineProperty(obj, k, { value, enumerable: true, writable: true, configurable: true });
  else obj[k] = value;
}

/**
 * Unpickles one pickle starting at `pos` of `bytes`. Returns the value and the position after STOP,
 * so that concatenated pickles (the legacy torch format) can be read one after another.
 */
export function unpickle(bytes: Uint8Array, globals: PickleGlobals, pos = 0): { value: unknown; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new CheckpointError(`corrupt pickle at byte ${pos}: ${msg}`, 'E_PICKLE');
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) fail(`truncated (needs ${k} more bytes, ${n - pos} left)`);
  };
  const u8 = (): number => (need(1), bytes[pos++]);
  const u16 = (): number => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = (): number => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(n)) fail(`declared length ${v} exceeds the ${n}-byte pickle`);
    return Number(v);
  };
  const take = (k: number): Uint8Array => {
    need(k);
    pos += k;
    return bytes.subarray(pos - k, pos);
  };
  const lineBytes = (): Uint8Array => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated text line');
    const b = bytes.subarray(pos, end);
    pos = end + 1;
    return b;
  };
  const line = (): string => decoder.decode(lineBytes());
  const pop = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack.pop());
  const top = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack[stack.length - 1]);
  const popMark = (): unknown[] => {
    const items = stack;
    if (metastack.length === 0) fail('MARK expected but not found');
    stack = metastack.pop()!;
    return items;
  };
  const getGlobal = (module: string, name: string): PyGlobal => {
    module = PY2_MODULES[module] ?? module;
    if (!globals.allowed(module, name))
      throw new CheckpointError(`pickle references non-allow-listed global '${module}.${name}'; refusing to load (only tensors and plain containers are supported)`, 'E_PICKLE_GLOBAL');
    return new PyGlobal(module, name);
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PyGlobal)) fail(`call of a non-global ${describe(fn)}`);
    if (!Array.isArray(args)) fail(`call arguments are not a tuple: ${describe(args)}`);
    return globals.call(fn as PyGlobal, args as unknown[]);
  };
  const setItems = (d: unknown, items: unknown[]): void => {
    if (!isDict(d)) fail(`SETITEM(S) on a non-dict ${describe(d)}`);
    if (items.length % 2) fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) setKey(d as Record<string, unknown>, items[i], items[i + 1]);
  };
  const appendItems = (l: unknown, items: unknown[]): void => {
    if (l instanceof Set) for (const x of items) l.add(x);
    else if (Array.isArray(l)) l.push(...items);
    else fail(`APPEND(S) on a non-list ${describe(l)}`);
  };
  const intOf = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const memoGet = (i: number): unknown => (memo.has(i) ? memo.get(i) : fail(`memo key ${i} missing`));

  while (pos < n) {
    const op = bytes[pos++];
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME (framing is only a read-ahead hint)
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: need(4); stack.push(dv.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x8a: stack.push(intOf(take(u8()))); break; // LONG1
      case 0x8b: stack.push(intOf(take(u32()))); break; // LONG4
      case 0x49: { // INT (text; "01"/"00" are protocol-0 booleans)
        const s = line();
        if (s === '01' || s === '00') stack.push(s === '01');
        else if (/^[-+]?\d+$/.test(s)) stack.push(safeInt(BigInt(s)));
        else fail(`bad INT '${s}'`);
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line().replace(/L$/, '');
        if (!/^[-+]?\d+$/.test(s)) fail(`bad LONG '${s}'`);
        stack.push(safeInt(BigInt(s)));
        break;
      }
      case 0x46: { // FLOAT (text)
        const s = line();
        const v = Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) fail(`bad FLOAT '${s}'`);
        stack.push(v);
        break;
      }
      case 0x47: need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x58: stack.push(decoder.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(decoder.decode(take(u64()))); break; // BINUNICODE8
      case 0x56: stack.push(rawUnicodeEscape(latin1(lineBytes()))); break; // UNICODE (raw-unicode-escape: latin-1 + \uXXXX)
      case 0x53: stack.push(parseQuoted(line(), fail)); break; // STRING
      case 0x54: stack.push(latin1(take(u32()))); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(latin1(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(take(u64()).slice()); break; // BYTEARRAY8
      case 0x97: case 0x98: fail('out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported'); break;
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: { const t = popMark(); stack.push(t); break; } // TUPLE (popMark swaps `stack`: pop first)
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { const l = popMark(); stack.push(l); break; } // LIST
      case 0x61: { const x = pop(); appendItems(top(), [x]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x7d: stack.push({}); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = {}; setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x90: { const items = popMark(); appendItems(top(), items); break; } // ADDITEMS
      case 0x91: { const f = new Set(popMark()); stack.push(f); break; } // FROZENSET
      case 0x67: stack.push(memoGet(Number(line()))); break; // GET
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x63: { const module = line(); const name = line(); stack.push(getGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(getGlobal(module as string, name as string));
        break;
      }
      case 0x82: case 0x83: case 0x84: fail('copyreg extension codes (EXT1/2/4) are not supported'); break;
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ_EX (kwargs dropped)
      case 0x69: { // INST
        const module = line();
        const name = line();
        const args = popMark();
        stack.push(call(getGlobal(module, name), args));
        break;
      }
      case 0x6f: { const items = popMark(); if (!items.length) fail('OBJ without class'); stack.push(call(items[0], items.slice(1))); break; } // OBJ
      case 0x62: { const state = pop(); const obj = pop(); stack.push(globals.build(obj, state)); break; } // BUILD
      case 0x50: stack.push(globals.persistentLoad(line())); break; // PERSID
      case 0x51: stack.push(globals.persistentLoad(pop())); break; // BINPERSID
      default:
        pos--;
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
  throw new CheckpointError(`corrupt pickle: truncated (no STOP opcode before byte ${n})`, 'E_PICKLE');
}

/** True for a plain dict produced by the unpickler (not an array, tensor record or class instance). */
export function isDict(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Set) && !ArrayBuffer.isView(x) && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);
}

/** Short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x instanceof PyGlobal) return `global ${x.fullName}`;
  if (x instanceof PyObject) return `${x.className} object`;
  if (Array.isArray(x)) return `tuple/list of ${x.length}`;
  if (x === null) return 'None';
  return typeof x === 'object' ? Object.prototype.toString.call(x) : `${typeof x} ${String(x).slice(0, 40)}`;
}

function safeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Decodes Python's raw-unicode-escape (only `\uXXXX` / `\UXXXXXXXX` are escapes). */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => String.fromCodePoint(parseInt(a ?? b!, 16)));
}

/** Parses a protocol-0 STRING argument: a Python `repr` of a str, quoted with ' or ". */
function parseQuoted(s: string, fail: (m: string) => never): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) fail('STRING argument is not quoted');
  const body = s.slice(1, -1);
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return body.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => (e[0] === 'x' && e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : esc[e] ?? `\\${e}`));
}
