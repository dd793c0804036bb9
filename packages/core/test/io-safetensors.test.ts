/**
 * safetensors and .npy writers: byte-identical to the reference implementations (bytes below were
 * produced by `safetensors.numpy.save` 0.8.0 and `numpy.save` 2.x), bit-exact round trips, and
 * readCheckpoint's content sniffing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '@sr/testkit';
import { readCheckpoint, readCheckpointObject, readNpy, readSafetensors, writeNpy, writeSafetensors, type StateDict } from '../src/index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// safetensors.numpy.save({'b.weight': arange(6,f32).reshape(2,3), 'a': [1,2] i64, 'h': [1.5] f16, 'z': [True,False],
//   'u': [7] u8, 'i': [-3] i32, 'd': [0.25] f64}, metadata={'format': 'pt', 'a': 'x"y\n'})
const REF =
  'b8010000000000007b225f5f6d657461646174615f5f223a7b2261223a22785c22795c6e222c22666f726d6174223a227074227d2c2261223a7b226474797065223a22493634222c227368617065223a5b325d2c22646174615f6f666673657473223a5b302c31365d7d2c2264223a7b226474797065223a22463634222c227368617065223a5b315d2c22646174615f6f666673657473223a5b31362c32345d7d2c22622e776569676874223a7b226474797065223a22463332222c227368617065223a5b322c335d2c22646174615f6f666673657473223a5b32342c34385d7d2c2269223a7b226474797065223a22493332222c227368617065223a5b315d2c22646174615f6f666673657473223a5b34382c35325d7d2c2268223a7b226474797065223a22463136222c227368617065223a5b315d2c22646174615f6f666673657473223a5b35322c35345d7d2c2275223a7b226474797065223a225538222c227368617065223a5b315d2c22646174615f6f666673657473223a5b35342c35355d7d2c227a223a7b226474797065223a22424f4f4c222c227368617065223a5b325d2c22646174615f6f666673657473223a5b35352c35375d7d7d202001000000000000000200000000000000000000000000d03f000000000000803f0000004000004040000080400000a040fdffffff003e070100';

describe('safetensors', () => {
  const sd: StateDict = {
    'b.weight': { dtype: 'float32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) },
    a: { dtype: 'int64', shape: [2], data: BigInt64Array.from([1n, 2n]) },
    h: { dtype: 'float16', shape: [1], data: Uint16Array.from([0x3e00]) },
    z: { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
    u: { dtype: 'uint8', shape: [1], data: Uint8Array.from([7]) },
    i: { dtype: 'int32', shape: [1], data: Int32Array.from([-3]) },
    d: { dtype: 'float64', shape: [1], data: Float64Array.from([0.25]) },
  };

  test('writer output is byte-identical to the reference implementation', () => {
    expect(bytesOf(writeSafetensors(sd, { format: 'pt', a: 'x"y\n' })).toString('hex')).toBe(REF);
  });

  test('reader parses the reference file; read → write is bit-exact', () => {
    const { stateDict, metadata } = readSafetensors(hex(REF));
    expect(metadata).toEqual({ a: 'x"y\n', format: 'pt' });
    for (const k of Object.keys(sd)) expect(stateDict[k]).toEqual(sd[k]);
    expect(bytesOf(writeSafetensors(stateDict, metadata)).toString('hex')).toBe(REF);
  });

  test('real weights: .pth → safetensors → read → write is bit-exact, tensors identical', async () => {
    const src = await readCheckpoint(path.join(sharedRoot(), 'weights', 'torchvision', 'squeezenet1_1-features.pth'));
    const file = writeSafetensors(src);
    expect(Number(new DataView(file.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = readSafetensors(file);
    expect(back.metadata).toBeUndefined();
    expect(Object.keys(back.stateDict).sort()).toEqual(Object.keys(src).sort());
    for (const [k, t] of Object.entries(src)) {
      expect(back.stateDict[k].shape).toEqual(t.shape);
      expect(bytesOf(back.stateDict[k].data).equals(bytesOf(t.data))).toBe(true);
    }
    expect(bytesOf(writeSafetensors(back.stateDict)).equals(bytesOf(file))).toBe(true);
    // readCheckpoint sniffs safetensors by content (no extension needed).
    const viaCheckpoint = await readCheckpoint(file);
    expect(bytesOf(viaCheckpoint['features.0.weight'].data).equals(bytesOf(src['features.0.weight'].data))).toBe(true);
  });

  test('header is padded with spaces to a multiple of 8; metadata surfaces in readCheckpointObject', async () => {
    const f = writeSafetensors({ x: { dtype: 'float32', shape: [1], data: Float32Array.from([1]) } }, { k: 'v' });
    const n = Number(new DataView(f.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(f.subarray(8, 8 + n));
    expect(header).toMatch(/^\{"__metadata__":\{"k":"v"\},"x":\{"dtype":"F32","shape":\[1\],"data_offsets":\[0,4\]\}\} *$/);
    expect(((await readCheckpointObject(f)) as { __metadata__: unknown }).__metadata__).toEqual({ k: 'v' });
    expect(Object.keys(await readCheckpoint(f))).toEqual(['x']);
  });
});

describe('npy', () => {
  test('writeNpy is byte-identical to numpy.save and round-trips through readNpy', () => {
    const cases: [Parameters<typeof writeNpy>[0], string][] = [
      [{ dtype: 'float32', shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) }, '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000803f0000004000004040000080400000a040'],
      [{ dtype: 'float32', shape: [], data: Float32Array.from([1.5]) }, '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f'],
      [{ dtype: 'int64', shape: [3], data: BigInt64Array.from([0n, 1n, 2n]) }, '934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000000001000000000000000200000000000000'],
    ];
    for (const [t, ref] of cases) {
      const b = writeNpy(t);
      expect(bytesOf(b).toString('hex')).toBe(ref);
      expect(readNpy(b)).toEqual(t);
    }
    expect(readNpy(writeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]))).toEqual({ dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
  });

  test('a golden fixture .npy survives readNpy → writeNpy byte for byte', () => {
    const dir = path.join(sharedRoot(), 'fixtures', 'golden', 'edsr-baseline');
    const f = fs.readFileSync(path.join(dir, 'inp_rand.npy'));
    expect(bytesOf(writeNpy(readNpy(new Uint8Array(f)))).equals(f)).toBe(true);
  });
});
