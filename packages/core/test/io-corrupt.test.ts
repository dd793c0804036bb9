/**
 * Corrupted, truncated and malicious checkpoints: each one must end in a CheckpointError whose message
 * names the problem — never a hang, a crash or a silently wrong tensor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync, unzipSync, zipSync } from 'fflate';
import { sharedRoot } from '@sr/testkit';
import { CheckpointError, readCheckpoint, readCheckpointObject, readSafetensors, writeSafetensors } from '../src/index.js';
import { PickleWriter, torchLegacy, torchZip, u8, vals } from './io-builders.js';

const f32 = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);
const simple = (): Uint8Array => torchZip(new PickleWriter().proto().emptyDict().str('w').tensor('FloatStorage', '0', 4, 0, [2, 2], [2, 1]).setitem().stop(), { '0': u8(f32(4)) });

async function rejects(bytes: Uint8Array, re: RegExp): Promise<void> {
  const err = await readCheckpoint(bytes).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as Error).message).toMatch(re);
}

describe('malicious pickles', () => {
  test("a pickle calling os.system is rejected by name, before anything runs", async () => {
    // GLOBAL 'os system' ; MARK ; 'echo pwned' ; TUPLE ; REDUCE ; STOP — hand-built bytes.
    const evil = new PickleWriter().proto().global('os', 'system').mark().str('echo pwned').tuple().reduce().stop();
    await rejects(evil, /non-allow-listed global 'os\.system'/);
    await rejects(torchZip(evil, {}), /non-allow-listed global 'os\.system'/);
  });

  test('other dangerous globals (builtins.eval, STACK_GLOBAL subprocess.Popen, INST, Python 2 names) are rejected', async () => {
    await rejects(new PickleWriter().proto().global('__builtin__', 'eval').stop(), /'builtins\.eval'/);
    await rejects(new PickleWriter().proto(4).str('subprocess').str('Popen').bytes(0x93).stop(), /'subprocess\.Popen'/);
    await rejects(new PickleWriter().proto().mark().str('x').bytes(0x69, ...new TextEncoder().encode('os\nsystem\n')).stop(), /'os\.system'/);
    await rejects(new PickleWriter().proto().global('torch', 'load').stop(), /'torch\.load'/);
    await rejects(new PickleWriter().proto().global('torch.nn.modules.conv', '__import__').stop(), /non-allow-listed/);
  });

  test('a reduce of an allow-listed value global (torch.FloatStorage(...)) is refused', async () => {
    await rejects(new PickleWriter().proto().global('torch', 'FloatStorage').mark().tuple().reduce().stop(), /cannot be called/);
  });
});

describe('corrupted zip checkpoints', () => {
  test('every truncation of a zip checkpoint is an error', async () => {
    const good = simple();
    for (let cut = 0; cut < good.length; cut += 7) await expect(readCheckpoint(good.subarray(0, cut))).rejects.toThrow(CheckpointError);
  });

  test('bad zip / unknown format / empty file', async () => {
    const b = simple().slice();
    b.fill(0xee, 40, b.length - 10);
    await rejects(b, /zip/);
    await rejects(Uint8Array.from([1, 2, 3, 4, 5]), /not a PyTorch checkpoint: unknown leading bytes 01 02 03 04/);
    await rejects(new Uint8Array(0), /empty checkpoint/);
    await rejects(zipSync({ 'a/other.txt': new Uint8Array(3) }), /no data\.pkl/);
  });

  test('bad pickle opcodes, stack underflow, missing STOP, bad memo', async () => {
    await rejects(torchZip(Uint8Array.from([0x80, 0x02, 0xff, 0x2e]), {}), /unknown opcode 0xff/);
    await rejects(torchZip(Uint8Array.from([0x80, 0x02, 0x73, 0x2e]), {}), /stack underflow/);
    await rejects(torchZip(Uint8Array.from([0x80, 0x02, 0x7d]), {}), /no STOP/);
    await rejects(torchZip(Uint8Array.from([0x80, 0x02, 0x68, 0x05, 0x2e]), {}), /memo key 5 missing/);
    await rejects(torchZip(Uint8Array.from([0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x2e]), {}), /truncated \(needs 2147483647 more bytes/);
    await rejects(torchZip(Uint8Array.from([0x80, 0x04, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x2e]), {}), /declared length .* exceeds/);
  });

  test('storage too short for its tensor / missing storage / huge declared sizes', async () => {
    const pk = (numel: number, size: number[], stride: number[], off = 0) =>
      new PickleWriter().proto().emptyDict().str('w').tensor('FloatStorage', '0', numel, off, size, stride).setitem().stop();
    await rejects(torchZip(pk(4, [2, 3], [3, 1]), { '0': u8(f32(4)) }), /storage '0' too short for its tensor: 4 float32 elements, tensor \[2,3\]/);
    await rejects(torchZip(pk(6, [2, 3], [3, 1]), { '0': u8(f32(4)) }), /storage '0' too short: 16 bytes, pickle declares 6/);
    await rejects(torchZip(pk(4, [2, 2], [2, 1], 3), { '0': u8(f32(4)) }), /too short for its tensor/);
    await rejects(torchZip(pk(4, [2, 2], [2, 1]), {}), /storage '0' missing from the zip archive/);
    await rejects(torchZip(pk(4, [65536, 65536, 65536], [1, 1, 1]), { '0': u8(f32(4)) }), /implausibly large/);
    await rejects(torchZip(pk(4, [2, 2], [2]), { '0': u8(f32(4)) }), /differ in rank/);
  });

  test('absurdly deep nesting is an error, not a crash', async () => {
    const n = 200000; // PROTO 2, n × EMPTY_LIST, (n − 1) × APPEND, STOP: a list nested n deep
    const b = new Uint8Array(2 + 2 * n);
    b.set([0x80, 2]);
    b.fill(0x5d, 2, 2 + n);
    b.fill(0x61, 2 + n, 1 + 2 * n);
    b[1 + 2 * n] = 0x2e;
    await rejects(b, /too deeply nested/);
  });

  test('truncated gzip', async () => {
    const gz = gzipSync(simple());
    await rejects(gz.subarray(0, gz.length - 20), /gzip/);
  });

  test('a storage file shorter than its declared element count is caught', async () => {
    const files = unzipSync(simple());
    files['archive/data/0'] = new Uint8Array(8);
    await rejects(zipSync(files, { level: 0 }), /too short/);
  });
});

describe('corrupted legacy checkpoints', () => {
  const legacy = (): Uint8Array => {
    const p = new PickleWriter().proto().emptyDict().str('w').tensor('FloatStorage', 'k', 4, 0, [4], [1], null, true).setitem();
    return torchLegacy(p.stop(), [['k', u8(f32(4)), 4]]);
  };

  test('loads intact', async () => {
    expect(vals((await readCheckpoint(legacy())).w)).toEqual([0, 1, 2, 3]);
  });

  test('every truncation (cut in the middle of any pickle or storage) is an error', async () => {
    const good = legacy();
    for (let cut = 0; cut < good.length; cut++) {
      const err = await readCheckpointObject(good.subarray(0, cut)).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
    }
    await rejects(good.subarray(0, good.length - 3), /legacy checkpoint truncated: storage 'k' declares 4 float32 elements, only 13 bytes left/);
  });

  test('huge declared storage element count', async () => {
    const b = legacy().slice();
    new DataView(b.buffer).setBigInt64(b.length - 24, 2n ** 60n, true);
    await rejects(b, /declares 1152921504606846976 float32 elements/);
  });

  test('real LPIPS legacy file cut at every 97th byte', async () => {
    const real = fs.readFileSync(path.join(sharedRoot(), 'weights', 'lpips', 'v0.1', 'alex.pth'));
    for (let cut = 1; cut < real.length; cut += 97) await expect(readCheckpoint(new Uint8Array(real.subarray(0, cut)))).rejects.toThrow(CheckpointError);
  });
});

describe('corrupted safetensors', () => {
  const good = writeSafetensors({ w: { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) } });
  test('truncated data, bad header length, bad JSON, bad offsets', () => {
    expect(() => readSafetensors(good.subarray(0, good.length - 1))).toThrow(/beyond the 7 data bytes/);
    const b = good.slice();
    new DataView(b.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => readSafetensors(b)).toThrow(/header length .* exceeds/);
    const j = good.slice();
    j[9] = 0x7d;
    expect(() => readSafetensors(j)).toThrow(/not valid JSON/);
    const mk = (h: string): Uint8Array => {
      const hb = new TextEncoder().encode(h);
      const out = new Uint8Array(8 + hb.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
      out.set(hb, 8);
      return out;
    };
    expect(() => readSafetensors(mk('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'))).toThrow(/8 bytes for shape \[3\] F32 \(needs 12\)/);
    expect(() => readSafetensors(mk('{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}'))).toThrow(/unsupported dtype 'C64'/);
    expect(() => readSafetensors(mk('{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}'))).toThrow(/bad data_offsets/);
  });
});
