/**
 * Hostile checkpoints and arrays: gzip and zip bombs are stopped while inflating (or before, from what
 * the archive declares), NaN/Inf weights are refused by name, and random truncations and bit flips of
 * every reader's input end in a result with consistent shapes or an SrError — never a raw RangeError.
 */
import fc from 'fast-check';
import { gzipSync, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  Linear,
  SrError,
  numel,
  parseCheckpointBytes,
  readCheckpoint,
  readNpy,
  readSafetensors,
  writeNpy,
  writeSafetensors,
  type StateDict,
} from '../src/index.js';
import { forgeZipSize, gzipBomb } from './hostile-builders.js';
import { PickleWriter, torchLegacy, torchZip, u8 } from './io-builders.js';

const f32 = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i / 7);
const pickle2 = () =>
  new PickleWriter().proto().emptyDict()
    .str('a').tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]).setitem()
    .str('b').tensor('FloatStorage', '1', 4, 0, [4], [1]).setitem()
    .stop();
const zipPth = () => torchZip(pickle2(), { '0': u8(f32(6)), '1': u8(f32(4)) });
const legacyPickle = () =>
  new PickleWriter().proto().emptyDict()
    .str('a').tensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1], null, true).setitem()
    .stop();
const legacyPth = () => torchLegacy(legacyPickle(), [['0', u8(f32(6)), 4]]);

async function fails(p: Promise<unknown>, code: string, re?: RegExp): Promise<SrError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(CheckpointError);
  expect((e as SrError).code).toBe(code);
  if (re) expect((e as Error).message).toMatch(re);
  return e as SrError;
}

describe('gzip bombs', () => {
  test('gzip of non-checkpoint content fails after the first bytes ("not a checkpoint" without inflating 40 MB)', async () => {
    const t0 = performance.now();
    await fails(readCheckpoint(gzipBomb(40)), 'E_CHECKPOINT', /not a PyTorch or safetensors checkpoint.*stopped inflating/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  test('a checkpoint-looking stream inflating past maxInflateBytes is stopped at the limit', async () => {
    const head = new Uint8Array(1 << 20);
    head.set(zipPth()); // starts like a zip, then a megabyte of zeros per member
    const bomb = new Uint8Array([...gzipSync(head), ...gzipBomb(20)]);
    await fails(readCheckpoint(bomb, { maxInflateBytes: 4 << 20 }), 'E_INFLATE_LIMIT', /more than 4194304 bytes/);
  });

  test('a gzip trailer declaring more than the limit is refused before inflating', async () => {
    const g = gzipSync(zipPth());
    new DataView(g.buffer).setUint32(g.length - 4, 3_000_000_000, true);
    await fails(readCheckpoint(g), 'E_INFLATE_LIMIT', /declares 3000000000 uncompressed bytes/);
  });

  test('truncated gzip is E_INFLATE; a valid gzipped checkpoint still reads', async () => {
    const g = gzipSync(zipPth());
    await fails(readCheckpoint(g.subarray(0, g.length - 12)), 'E_INFLATE', /truncated|corrupt/);
    expect(Array.from((await readCheckpoint(g)).b!.data as Float32Array)).toEqual(Array.from(f32(4)));
  });
});

describe('zip bombs', () => {
  test('data.pkl declaring 3 GB (deflated) is refused from the central directory', async () => {
    const z = zipSync({ 'archive/data.pkl': pickle2(), 'archive/data/0': u8(f32(6)), 'archive/data/1': u8(f32(4)) }, { level: 9 });
    await fails(readCheckpoint(forgeZipSize(z, 'archive/data.pkl', 3_000_000_000)), 'E_INFLATE_LIMIT', /data\.pkl' declares 3000000000/);
  });

  test('a storage entry declaring more bytes than data.pkl gives its storage is refused', async () => {
    const z = zipSync({ 'archive/data.pkl': pickle2(), 'archive/data/0': u8(f32(6)), 'archive/data/1': u8(f32(4)) }, { level: 9 });
    await fails(readCheckpoint(forgeZipSize(z, 'archive/data/1', 2_000_000_000)), 'E_INFLATE_LIMIT', /'archive\/data\/1' declares 2000000000.*according to data\.pkl/);
  });

  test('compressed storages together above maxInflateBytes are refused; stored (torch.save) ones are not counted', async () => {
    const z = zipSync({ 'archive/data.pkl': [pickle2(), { level: 0 }], 'archive/data/0': u8(f32(6)), 'archive/data/1': u8(f32(4)) }, { level: 9 });
    await fails(readCheckpoint(z, { maxInflateBytes: 30 }), 'E_INFLATE_LIMIT', /all compressed storages together/);
    expect(Object.keys(await readCheckpoint(zipPth(), { maxInflateBytes: 30 }))).toEqual(['a', 'b']);
  });
});

describe('NaN / Inf weights', () => {
  test('loadStateDict refuses them by tensor name and changes nothing; allowNonFinite loads them', () => {
    const lin = new Linear(2, 2);
    const before = lin.weight.arraySync();
    const sd: StateDict = {
      weight: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
      bias: { dtype: 'float32', shape: [2], data: Float32Array.of(0, NaN) },
    };
    let e: unknown;
    try {
      lin.loadStateDict(sd);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as SrError).code).toBe('E_NON_FINITE');
    expect((e as Error).message).toMatch(/tensor 'bias' holds NaN at flat index 1/);
    expect(lin.weight.arraySync()).toEqual(before);
    sd.bias!.data = Float32Array.of(Infinity, 0);
    expect(() => lin.loadStateDict(sd)).toThrow(/'bias' holds Infinity/);
    lin.loadStateDict(sd, { allowNonFinite: true });
    expect((lin.bias as tf.Tensor).arraySync()).toEqual([Infinity, 0]);
    lin.dispose();
  });

  test('float16 Inf is caught after conversion', () => {
    const lin = new Linear(1, 1);
    expect(() =>
      lin.loadStateDict({ weight: { dtype: 'float16', shape: [1, 1], data: Uint16Array.of(0x7c00) }, bias: { dtype: 'float16', shape: [1], data: Uint16Array.of(0) } }),
    ).toThrow(/'weight' holds Infinity/);
    lin.dispose();
  });
});

describe('.npy header bombs', () => {
  const npy = (header: string, body = 8) => {
    const h = header + ' '.repeat(Math.max(0, 118 - header.length)) + '\n';
    return new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8, ...new TextEncoder().encode(h), ...new Uint8Array(body)]);
  };
  test.each([
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", /truncated \.npy data/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 9), }", /bad \.npy shape|implausibly large/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", /bad \.npy shape/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (abc,), }", /bad \.npy shape/],
  ])('%s', (header, re) => {
    expect(() => readNpy(npy(header))).toThrow(re);
  });
});

/** Every outcome of a fuzzed reader: tensors whose data matches their shape, or an SrError. */
function checkOutcome(run: () => unknown): void {
  let out: unknown;
  try {
    out = run();
  } catch (e) {
    if (!(e instanceof SrError)) throw e; // a RangeError/TypeError here is a bug the fuzzer found
    return;
  }
  const visit = (x: unknown, depth: number): void => {
    if (depth > 8 || typeof x !== 'object' || x === null) return;
    const t = x as { shape?: unknown; data?: unknown };
    if (Array.isArray(t.shape) && ArrayBuffer.isView(t.data)) expect((t.data as Float32Array).length).toBe(numel(t.shape as number[]));
    else for (const v of Object.values(x)) visit(v, depth + 1);
  };
  visit(out, 0);
}

describe('fuzz: truncations and bit flips of every reader', () => {
  const cases: [string, () => Uint8Array, (b: Uint8Array) => unknown][] = [
    ['.pth zip', zipPth, (b) => parseCheckpointBytes(b)],
    ['.pth legacy', legacyPth, (b) => parseCheckpointBytes(b)],
    ['.pth gzip', () => gzipSync(zipPth()), (b) => parseCheckpointBytes(b)],
    ['.pth zip, deflated', () => zipSync({ 'archive/data.pkl': pickle2(), 'archive/data/0': u8(f32(6)), 'archive/data/1': u8(f32(4)) }), (b) => parseCheckpointBytes(b)],
    ['.safetensors', () => writeSafetensors({ a: { dtype: 'float32', shape: [2, 3], data: f32(6) } }, { k: 'v' }), (b) => readSafetensors(b)],
    ['.npy', () => writeNpy(f32(12), [3, 4]), (b) => readNpy(b)],
  ];
  test.each(cases)('%s', (_name, make, read) => {
    const good = make();
    checkOutcome(() => read(good));
    fc.assert(
      fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), (at, bit, truncate) => {
        const b = truncate ? good.slice(0, at) : good.slice();
        if (!truncate) b[at] ^= 1 << bit;
        checkOutcome(() => read(b));
      }),
      { numRuns: 400, seed: 18 },
    );
  });
});
