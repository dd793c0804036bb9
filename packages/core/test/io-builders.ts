/**
 * Hand-built pickles and torch.save containers for the checkpoint tests (no Python here): a tiny
 * pickle assembler with the opcodes torch emits, and zip / legacy container writers that follow
 * `torch/serialization.py`.
 */
import { zipSync } from 'fflate';

/** A pickle assembler: `p.op(...)` appends raw opcodes; helpers emit typed arguments. */
export class PickleWriter {
  private parts: number[] = [];
  bytes(...b: number[]): this {
    this.parts.push(...b);
    return this;
  }
  proto(v = 2): this {
    return this.bytes(0x80, v);
  }
  str(s: string): this {
    const u = new TextEncoder().encode(s);
    return this.bytes(0x58, ...le32(u.length), ...u);
  }
  int(v: number): this {
    if (v >= 0 && v < 256) return this.bytes(0x4b, v);
    if (v >= 0 && v < 65536) return this.bytes(0x4d, v & 0xff, v >> 8);
    return this.bytes(0x4a, ...le32(v));
  }
  float(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    return this.bytes(0x47, ...b);
  }
  global(module: string, name: string): this {
    return this.bytes(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }
  mark(): this {
    return this.bytes(0x28);
  }
  tuple(): this {
    return this.bytes(0x74);
  }
  emptyDict(): this {
    return this.bytes(0x7d);
  }
  setitems(): this {
    return this.bytes(0x75);
  }
  setitem(): this {
    return this.bytes(0x73);
  }
  reduce(): this {
    return this.bytes(0x52);
  }
  none(): this {
    return this.bytes(0x4e);
  }
  bool(v: boolean): this {
    return this.bytes(v ? 0x88 : 0x89);
  }
  ints(xs: number[]): this {
    this.mark();
    for (const x of xs) this.int(x);
    return this.tuple();
  }
  /** `torch._utils._rebuild_tensor_v2(persistent_id(('storage', torch.<type>, key, 'cpu', n)), off, size, stride, False, OrderedDict())`. */
  tensor(storageType: string, key: string, numel: number, offset: number, size: number[], stride: number[], view: [string, number, number] | null = null, legacy = false): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', storageType).str(key).str('cpu').int(numel);
    if (legacy) {
      if (view) this.mark().str(view[0]).int(view[1]).int(view[2]).tuple();
      else this.none();
    }
    this.tuple().bytes(0x51); // BINPERSID
    this.int(offset).ints(size).ints(stride).bool(false).global('collections', 'OrderedDict').bytes(0x29).reduce();
    return this.tuple().reduce();
  }
  stop(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e]);
  }
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** A zip-format torch checkpoint with archive folder `archive`. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>, archive = 'archive'): Uint8Array {
  const files: Record<string, Uint8Array> = { [`${archive}/data.pkl`]: pickle, [`${archive}/byteorder`]: new TextEncoder().encode('little') };
  for (const [k, v] of Object.entries(storages)) files[`${archive}/data/${k}`] = v;
  files[`${archive}/version`] = new TextEncoder().encode('3\n');
  return zipSync(files, { level: 0 });
}

/** A legacy (pre-1.6) torch checkpoint: magic, protocol, sys_info, main pickle, keys, storages. */
export function torchLegacy(main: Uint8Array, storages: [string, Uint8Array, number][]): Uint8Array {
  // Magic 0x1950a86a20f9469cfc6c as LONG1 (10 bytes little-endian).
  const magic = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
  const proto = new PickleWriter().proto().int(1001).stop();
  const sys = new PickleWriter().proto().emptyDict().str('protocol_version').int(1001).setitem().str('little_endian').bool(true).setitem().stop();
  const keysW = new PickleWriter().proto().bytes(0x5d).mark();
  for (const [k] of storages) keysW.str(k);
  const keys = keysW.bytes(0x65).stop();
  const chunks: Uint8Array[] = [magic, proto, sys, main, keys];
  for (const [, data, elemSize] of storages) {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigInt64(0, BigInt(data.length / elemSize), true);
    chunks.push(head, data);
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** Bytes of a typed array. */
export function u8(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Values of a non-bigint tensor as a plain array (for toEqual). */
export function vals(t: { data: ArrayLike<number> | BigInt64Array }): number[] {
  return Array.from(t.data as ArrayLike<number>);
}
