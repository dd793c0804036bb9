/**
 * The pickle VM and torch containers on hand-built inputs: every protocol (0–5), tensor views with
 * offsets and strides, every storage dtype, legacy storage views, nested training checkpoints and the
 * state-dict auto-detection, numpy scalars, and all checkpoint sources (path, bytes, Blob, URL).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'fflate';
import {
  CheckpointError, readCheckpoint, readCheckpointObject, selectStateDict, stripPrefix, torchGlobals, unpickle,
  type StateDict, type TensorData,
} from '../src/index.js';
import { PickleWriter, torchLegacy, torchZip, u8, vals } from './io-builders.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

// pickle.dumps(obj, protocol=p) from CPython 3.11 for
// obj = {'a': [1,-2,3.5,None,True,False], 't': (1,(2,3),()), 's': 'h\u00e9llo\n"\'', 'big': 2**70, 'neg': -2**40,
//        'b': b'\x00\x01\xff', 'set': {7}, 'fs': frozenset([8]), 'od': OrderedDict([('x',1),('y',[])]),
//        'i': 123456, 'f': 1e-300, 5: 'intkey'}
const PY_PICKLES: Record<number, string> = {
  0: '286470300a56610a70310a286c70320a49310a61492d320a6146332e350a614e614930310a614930300a617356740a70330a2849310a2849320a49330a7470340a28747470350a7356730a70360a5668e96c6c6f5c753030306122270a70370a73566269670a70380a4c313138303539313632303731373431313330333432344c0a73566e65670a70390a4c2d313039393531313632373737364c0a7356620a7031300a635f636f646563730a656e636f64650a7031310a28565c753030303001ff0a7031320a566c6174696e310a7031330a747031340a527031350a73567365740a7031360a635f5f6275696c74696e5f5f0a7365740a7031370a28286c7031380a49370a61747031390a527032300a735666730a7032310a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7032320a28286c7032330a49380a61747032340a527032350a73566f640a7032360a63636f6c6c656374696f6e730a4f726465726564446963740a7032370a2874527032380a56780a7032390a49310a7356790a7033300a286c7033310a737356690a7033320a493132333435360a7356660a7033330a4631652d3330300a7349350a56696e746b65790a7033340a732e',
  1: '7d71002858010000006171015d7102284b014afeffffff47400c0000000000004e4930310a4930300a655801000000747103284b01284b024b03747104297471055801000000737106580900000068c3a96c6c6f0a22277107580300000062696771084c313138303539313632303731373431313330333432344c0a58030000006e656771094c2d313039393531313632373737364c0a580100000062710a635f636f646563730a656e636f64650a710b2858040000000001c3bf710c58060000006c6174696e31710d74710e52710f58030000007365747110635f5f6275696c74696e5f5f0a7365740a7111285d71124b0761747113527114580200000066737115635f5f6275696c74696e5f5f0a66726f7a656e7365740a7116285d71174b086174711852711958020000006f64711a63636f6c6c656374696f6e730a4f726465726564446963740a711b2952711c28580100000078711d4b01580100000079711e5d711f7558010000006971204a40e2010058010000006671214701a56e1fc2f8f3594b055806000000696e746b65797122752e',
  2: '80027d71002858010000006171015d7102284b014afeffffff47400c0000000000004e88896558010000007471034b014b024b03867104298771055801000000737106580900000068c3a96c6c6f0a22277107580300000062696771088a0900000000000000004058030000006e656771098a060000000000ff580100000062710a635f636f646563730a656e636f64650a710b58040000000001c3bf710c58060000006c6174696e31710d86710e52710f58030000007365747110635f5f6275696c74696e5f5f0a7365740a71115d71124b0761857113527114580200000066737115635f5f6275696c74696e5f5f0a66726f7a656e7365740a71165d71174b086185711852711958020000006f64711a63636f6c6c656374696f6e730a4f726465726564446963740a711b2952711c28580100000078711d4b01580100000079711e5d711f7558010000006971204a40e2010058010000006671214701a56e1fc2f8f3594b055806000000696e746b65797122752e',
  3: '80037d71002858010000006171015d7102284b014afeffffff47400c0000000000004e88896558010000007471034b014b024b03867104298771055801000000737106580900000068c3a96c6c6f0a22277107580300000062696771088a0900000000000000004058030000006e656771098a060000000000ff580100000062710a43030001ff710b5803000000736574710c636275696c74696e730a7365740a710d5d710e4b076185710f527110580200000066737111636275696c74696e730a66726f7a656e7365740a71125d71134b086185711452711558020000006f64711663636f6c6c656374696f6e730a4f726465726564446963740a7117295271182858010000007871194b01580100000079711a5d711b75580100000069711c4a40e20100580100000066711d4701a56e1fc2f8f3594b055806000000696e746b6579711e752e',
  4: '800495d3000000000000007d94288c0161945d94284b014afeffffff47400c0000000000004e8889658c0174944b014b024b0386942987948c0173948c0968c3a96c6c6f0a2227948c03626967948a090000000000000000408c036e6567948a060000000000ff8c01629443030001ff948c03736574948f94284b07908c02667394284b0891948c026f64948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0178944b018c0179945d94758c0169944a40e201008c0166944701a56e1fc2f8f3594b058c06696e746b657994752e',
  5: '800595d3000000000000007d94288c0161945d94284b014afeffffff47400c0000000000004e8889658c0174944b014b024b0386942987948c0173948c0968c3a96c6c6f0a2227948c03626967948a090000000000000000408c036e6567948a060000000000ff8c01629443030001ff948c03736574948f94284b07908c02667394284b0891948c026f64948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0178944b018c0179945d94758c0169944a40e201008c0166944701a56e1fc2f8f3594b058c06696e746b657994752e',
};

describe('pickle VM', () => {
  for (const p of [0, 1, 2, 3, 4, 5])
    test(`CPython protocol ${p} pickle of plain containers`, () => {
      const { value, end } = unpickle(hex(PY_PICKLES[p]), torchGlobals());
      expect(end).toBe(PY_PICKLES[p].length / 2);
      expect(value).toEqual({
        a: [1, -2, 3.5, null, true, false], t: [1, [2, 3], []], s: 'h\u00e9llo\n"\'', big: 2n ** 70n, neg: -(2 ** 40),
        b: Uint8Array.from([0, 1, 255]), set: new Set([7]), fs: new Set([8]), od: { x: 1, y: [] }, i: 123456, f: 1e-300, 5: 'intkey',
      });
    });

  test('numpy arrays and scalars (numpy 2.4, protocols 2 and 4)', () => {
    // pickle.dumps({'arr': np.arange(6, dtype=np.float32).reshape(2,3), 'f': np.float64(2.5), 'i': np.int64(7), 'b': np.array([True, False])}, p)
    for (const h of [
      '80027d71002858030000006172727101636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7102636e756d70790a6e6461727261790a71034b00857104635f636f646563730a656e636f64650a7105580100000062710658060000006c6174696e31710786710852710987710a52710b284b014b024b0386710c636e756d70790a64747970650a710d58020000006634710e898887710f527110284b0358010000003c71114e4e4e4affffffff4affffffff4b0074711262896805581b000000000000000000c2803f00000040000040400000c280400000c2a04071136807867114527115747116625801000000667117636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7118680d580200000066387119898887711a52711b284b0368114e4e4e4affffffff4affffffff4b0074711c62680558080000000000000000000440711d680786711e52711f86712052712158010000006971226818680d5802000000693871238988877124527125284b0368114e4e4e4affffffff4affffffff4b00747126626805580800000007000000000000007127680786712852712986712a52712b580100000062712c680268034b0085712d680987712e52712f284b014b02857130680d5802000000623171318988877132527133284b0358010000007c71344e4e4e4affffffff4affffffff4b0074713562896805580200000001007136680786713752713874713962752e',
      '80049572010000000000007d94288c03617272948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b024b03869468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b00749462894318000000000000803f0000004000004040000080400000a040947494628c01669468028c067363616c6172949394680e8c02663894898887945294284b0368124e4e4e4affffffff4affffffff4b007494624308000000000000044094869452948c0169946818680e8c02693894898887945294284b0368124e4e4e4affffffff4affffffff4b007494624308070000000000000094869452948c016294680468074b008594680987945294284b014b028594680e8c02623194898887945294284b038c017c944e4e4e4affffffff4affffffff4b00749462894302010094749462752e',
    ]) {
      expect(unpickle(hex(h), torchGlobals()).value).toEqual({
        arr: { dtype: 'float32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) }, f: 2.5, i: 7,
        b: { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
      });
    }
  });

  test("a '__proto__' key stays a plain key", () => {
    const v = unpickle(new PickleWriter().proto().emptyDict().str('__proto__').int(1).setitem().stop(), torchGlobals()).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
});

const f32 = (n: number, start = 0): Float32Array => Float32Array.from({ length: n }, (_, i) => start + i);

describe('tensors in zip checkpoints', () => {
  test('views: storage offset, transposed strides, shared storage, broadcast stride 0', async () => {
    const p = new PickleWriter().proto().emptyDict().mark();
    p.str('contig').tensor('FloatStorage', '0', 24, 4, [2, 3], [3, 1]);
    p.str('transposed').tensor('FloatStorage', '0', 24, 2, [3, 2], [1, 3]);
    p.str('strided3d').tensor('FloatStorage', '0', 24, 1, [2, 2, 2], [12, 1, 4]);
    p.str('expanded').tensor('FloatStorage', '0', 24, 5, [2, 3], [0, 1]);
    p.str('scalar').tensor('FloatStorage', '0', 24, 23, [], []);
    p.str('empty').tensor('FloatStorage', '0', 24, 0, [0, 3], [3, 1]);
    const sd = await readCheckpoint(torchZip(p.setitems().stop(), { '0': u8(f32(24)) }));
    expect(sd.contig).toEqual({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([4, 5, 6, 7, 8, 9]) });
    expect(vals(sd.transposed)).toEqual([2, 5, 3, 6, 4, 7]);
    expect(vals(sd.strided3d)).toEqual([1, 5, 2, 6, 13, 17, 14, 18]);
    expect(vals(sd.expanded)).toEqual([5, 6, 7, 5, 6, 7]);
    expect(sd.scalar).toEqual({ dtype: 'float32', shape: [], data: Float32Array.from([23]) });
    expect(sd.empty.shape).toEqual([0, 3]);
    expect(sd.empty.data.length).toBe(0);
    // Results own aligned copies, independent of the file buffer.
    expect(sd.contig.data.byteOffset).toBe(0);
    expect(sd.contig.data.buffer.byteLength).toBe(24);
  });

  test('every storage dtype', async () => {
    const storages: Record<string, Uint8Array> = {
      h: u8(Uint16Array.from([0x3c00, 0xc000])), // float16 1, -2
      bf: u8(Uint16Array.from([0x3f80, 0x4040])), // bfloat16 1, 3
      d: u8(Float64Array.from([0.1, -1e300])),
      l: u8(BigInt64Array.from([2n ** 40n, -3n])),
      i: u8(Int32Array.from([-7, 9])),
      s: u8(Int16Array.from([-300, 4])),
      c: u8(Int8Array.from([-5, 6])),
      b: Uint8Array.from([200, 1]),
      z: Uint8Array.from([1, 0]),
    };
    const types: Record<string, string> = { h: 'HalfStorage', bf: 'BFloat16Storage', d: 'DoubleStorage', l: 'LongStorage', i: 'IntStorage', s: 'ShortStorage', c: 'CharStorage', b: 'ByteStorage', z: 'BoolStorage' };
    const p = new PickleWriter().proto(2).global('collections', 'OrderedDict').bytes(0x29).reduce().mark();
    for (const k of Object.keys(types)) p.str(k).tensor(types[k], k, 2, 0, [2], [1]);
    const sd = await readCheckpoint(torchZip(p.setitems().stop(), storages));
    const dt = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.dtype]));
    expect(dt).toEqual({ h: 'float16', bf: 'bfloat16', d: 'float64', l: 'int64', i: 'int32', s: 'int16', c: 'int8', b: 'uint8', z: 'bool' });
    expect(sd.h.data).toEqual(Uint16Array.from([0x3c00, 0xc000]));
    expect(sd.l.data).toEqual(BigInt64Array.from([2n ** 40n, -3n]));
    expect(sd.d.data).toEqual(Float64Array.from([0.1, -1e300]));
    expect(sd.c.data).toEqual(Int8Array.from([-5, 6]));
    expect(sd.z.data).toEqual(Uint8Array.from([1, 0]));
  });

  test('non-contiguous views of 1-, 2- and 8-byte storages are gathered bit-exactly', async () => {
    const p = new PickleWriter().proto().emptyDict().mark();
    p.str('d').tensor('DoubleStorage', 'd', 6, 0, [3, 2], [1, 3]);
    p.str('l').tensor('LongStorage', 'l', 6, 1, [2, 2], [1, 3]);
    p.str('h').tensor('HalfStorage', 'h', 6, 0, [3, 2], [1, 3]);
    p.str('b').tensor('ByteStorage', 'b', 6, 0, [3, 2], [1, 3]);
    const sd = await readCheckpoint(torchZip(p.setitems().stop(), {
      // d = 0, 1, 2, signalling NaN with payload, 4, 5 (bits must survive the gather)
      d: u8(BigUint64Array.from([0n, 0x3ff0000000000000n, 0x4000000000000000n, 0x7ff4000000000001n, 0x4010000000000000n, 0x4014000000000000n])),
      l: u8(BigInt64Array.from([0n, 1n, 2n, 3n, 4n, -5n])),
      h: u8(Uint16Array.from([0, 1, 2, 3, 4, 5])), b: Uint8Array.from([0, 1, 2, 3, 4, 5]),
    }));
    // [3,2] stride [1,3] reads storage elements 0,3,1,4,2,5
    expect(Array.from(new BigUint64Array((sd.d.data as Float64Array).buffer))).toEqual([0n, 0x7ff4000000000001n, 0x3ff0000000000000n, 0x4010000000000000n, 0x4000000000000000n, 0x4014000000000000n]);
    expect(sd.l.data).toEqual(BigInt64Array.from([1n, 4n, 2n, -5n]));
    expect(vals(sd.h)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(vals(sd.b)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test('nn.Parameter (_rebuild_parameter) and tensor subclasses (_rebuild_from_type_v2) unwrap to tensors', async () => {
    const p = new PickleWriter().proto().emptyDict().mark();
    p.str('p').global('torch._utils', '_rebuild_parameter').mark().tensor('FloatStorage', '0', 2, 0, [2], [1]).bool(true).global('collections', 'OrderedDict').bytes(0x29).reduce().tuple().reduce();
    p.str('s').global('torch._tensor', '_rebuild_from_type_v2').mark().global('torch._utils', '_rebuild_tensor_v2').global('torch', 'Tensor');
    p.mark().mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(2).tuple().bytes(0x51).int(1).ints([1]).ints([1]).bool(false).none().tuple();
    p.emptyDict().tuple().reduce();
    const sd = await readCheckpoint(torchZip(p.setitems().stop(), { '0': u8(f32(2, 7)) }));
    expect(vals(sd.p)).toEqual([7, 8]);
    expect(vals(sd.s)).toEqual([8]);
  });

  test('gzipped zip and byteorder big', async () => {
    const pk = new PickleWriter().proto().emptyDict().str('w').tensor('FloatStorage', '0', 2, 0, [2], [1]).setitem().stop();
    const sd = await readCheckpoint(gzipSync(torchZip(pk, { '0': u8(f32(2, 1)) })));
    expect(vals(sd.w)).toEqual([1, 2]);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const { zipSync, unzipSync } = await import('fflate');
    const files = unzipSync(torchZip(pk, { '0': be }));
    files['archive/byteorder'] = new TextEncoder().encode('big');
    expect(vals((await readCheckpoint(zipSync(files, { level: 0 }))).w)).toEqual([1.5, -2]);
  });
});

describe('legacy format', () => {
  test('storage views (view_metadata offset) and several storages', async () => {
    const p = new PickleWriter().proto().global('collections', 'OrderedDict').mark();
    p.bytes(0x5d).mark(); // OrderedDict([[key, tensor], ...]) as LPIPS's files do
    p.bytes(0x5d).str('a').bytes(0x61).tensor('FloatStorage', 'root', 4, 0, [2, 2], [2, 1], null, true).bytes(0x61);
    p.bytes(0x5d).str('b').bytes(0x61).tensor('FloatStorage', 'root', 4, 1, [3], [1], ['view', 2, 3], true).bytes(0x61);
    p.bytes(0x5d).str('c').bytes(0x61).tensor('LongStorage', 'k2', 1, 0, [1], [1], null, true).bytes(0x61);
    p.bytes(0x65).tuple().reduce();
    const file = torchLegacy(p.stop(), [['root', u8(f32(6, 10)), 4], ['k2', u8(BigInt64Array.from([42n])), 8]]);
    const sd = await readCheckpoint(file);
    expect(Object.keys(sd)).toEqual(['a', 'b', 'c']);
    expect(vals(sd.a)).toEqual([10, 11, 12, 13]);
    expect(vals(sd.b)).toEqual([13, 14, 15]); // view offset 2 + tensor offset 1
    expect(sd.c.data).toEqual(BigInt64Array.from([42n]));
  });
});

const tensor = (v: number[]): TensorData => ({ dtype: 'float32', shape: [v.length], data: Float32Array.from(v) });

/** Pickles a nested object of dicts / strings / numbers / tensors (one storage per tensor). */
function checkpointOf(obj: unknown): Uint8Array {
  const p = new PickleWriter().proto();
  const storages: Record<string, Uint8Array> = {};
  const emit = (x: unknown): void => {
    if (typeof x === 'string') p.str(x);
    else if (typeof x === 'number') (Number.isInteger(x) ? p.int(x) : p.float(x));
    else if (x === null) p.none();
    else if (typeof x === 'object' && 'data' in (x as object)) {
      const t = x as TensorData;
      const key = String(Object.keys(storages).length);
      storages[key] = u8(t.data);
      p.tensor('FloatStorage', key, t.data.length, 0, t.shape, [1]);
    } else {
      p.emptyDict().mark();
      for (const [k, v] of Object.entries(x as object)) {
        p.str(k);
        emit(v);
      }
      p.setitems();
    }
  };
  emit(obj);
  return torchZip(p.stop(), storages);
}

describe('state dict selection', () => {
  const sd1 = { 'conv.weight': tensor([1, 2]), 'conv.bias': tensor([3]) };
  const sd2 = { 'conv.weight': tensor([5, 6]), 'conv.bias': tensor([7]) };

  test("BasicSR: params_ema preferred over params; explicit key wins", async () => {
    const file = checkpointOf({ params: sd1, params_ema: sd2 });
    expect(vals((await readCheckpoint(file))['conv.weight'])).toEqual([5, 6]);
    expect(vals((await readCheckpoint(file, { key: 'params' }))['conv.weight'])).toEqual([1, 2]);
  });

  test('LIIF layout {model: {name, args, sd}, optimizer, epoch}', async () => {
    const file = checkpointOf({ model: { name: 'liif', args: { x: 1 }, sd: sd1 }, optimizer: { name: 'adam', args: { lr: 1e-4 }, sd: { state: {} } }, epoch: 1000 });
    const obj = await readCheckpointObject(file);
    expect(selectStateDict(obj).key).toBe('model.sd');
    expect((obj as { epoch: number }).epoch).toBe(1000);
  });

  test("mmcv CiaoSR: state_dict['generator.' + key] and stripPrefix", async () => {
    const file = checkpointOf({ meta: { epoch: 3 }, state_dict: { 'generator.conv.weight': sd1['conv.weight'], 'generator.conv.bias': sd1['conv.bias'] } });
    const sd = await readCheckpoint(file);
    expect(Object.keys(stripPrefix(sd, 'generator.'))).toEqual(['conv.weight', 'conv.bias']);
  });

  test('the only dict of tensors anywhere is found; ambiguity and absence are errors naming the keys', async () => {
    expect(selectStateDict(await readCheckpointObject(checkpointOf({ ema: { weights_here: sd1 } }))).key).toBe('ema.weights_here');
    await expect(readCheckpoint(checkpointOf({ a: sd1, b: sd2 }))).rejects.toThrow(/ambiguous state dict, candidates 'a', 'b'; pass \{ key \}/);
    await expect(readCheckpoint(checkpointOf({ epoch: 3, note: 'x' }))).rejects.toThrow(/no state dict .*top-level keys: epoch, note/);
    await expect(readCheckpoint(checkpointOf({ params: sd1 }), { key: 'params_ema' })).rejects.toThrow(/key 'params_ema' not found \(top-level keys: params\)/);
    await expect(readCheckpoint(checkpointOf({ params: sd1, epoch: 2 }), { key: 'epoch' })).rejects.toThrow(CheckpointError);
  });

  test('numpy scalars and argparse.Namespace in a training checkpoint', async () => {
    const p = new PickleWriter().proto().emptyDict().mark();
    // numpy.core.multiarray.scalar(numpy.dtype('f8', False, True) + BUILD(state), _codecs.encode('...', 'latin1'))
    const eight = new Uint8Array(8);
    new DataView(eight.buffer).setFloat64(0, 31.25, true);
    p.str('best_psnr').global('numpy.core.multiarray', 'scalar').mark().global('numpy', 'dtype').mark().str('f8').bool(false).bool(true).tuple().reduce();
    p.mark().int(3).str('<').none().none().none().int(-1).int(-1).int(0).tuple().bytes(0x62); // BUILD
    p.global('_codecs', 'encode').mark().str(String.fromCharCode(...eight)).str('latin1').tuple().reduce().tuple().reduce();
    p.str('args').global('argparse', 'Namespace').bytes(0x29).bytes(0x81).emptyDict().str('scale').int(4).setitem().bytes(0x62);
    p.str('params').emptyDict().str('w').tensor('FloatStorage', '0', 1, 0, [1], [1]).setitem();
    const obj = (await readCheckpointObject(torchZip(p.setitems().stop(), { '0': u8(f32(1)) }))) as Record<string, unknown>;
    expect(obj.best_psnr).toBe(31.25);
    expect(obj.args).toEqual({ scale: 4 });
  });
});

describe('checkpoint sources', () => {
  const file = checkpointOf({ w: tensor([1, 2, 3]) });
  const expectW = (sd: StateDict): void => expect(vals(sd.w)).toEqual([1, 2, 3]);

  test('Uint8Array, ArrayBuffer, Blob, path, file: URL', async () => {
    expectW(await readCheckpoint(file));
    expectW(await readCheckpoint(file.slice().buffer));
    expectW(await readCheckpoint(new Blob([file.slice().buffer])));
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sr-ckpt-')), 'w.pth');
    fs.writeFileSync(tmp, file);
    expectW(await readCheckpoint(tmp));
    expectW(await readCheckpoint(new URL(`file://${tmp}`)));
    await expect(readCheckpoint(`${tmp}.missing`)).rejects.toThrow(/cannot read checkpoint file .*no such file/);
  });

  test('http(s) URL string and URL object (local server)', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/w.pth') res.end(Buffer.from(file));
      else {
        res.statusCode = 404;
        res.end('nope');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      expectW(await readCheckpoint(`http://127.0.0.1:${port}/w.pth`));
      expectW(await readCheckpoint(new URL(`http://127.0.0.1:${port}/w.pth`)));
      await expect(readCheckpoint(`http://127.0.0.1:${port}/missing.pth`)).rejects.toThrow(/HTTP 404/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
