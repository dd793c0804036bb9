/**
 * Real checkpoints saved by PyTorch: ../shared/weights/** (zip and legacy formats) and every
 * weights*.pth(.gz) of the golden fixtures, checked against manifest.json / case.json key lists and
 * against values computed independently with Python's pickle + numpy.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedRoot } from '@sr/testkit';
import { readCheckpoint, readCheckpointObject, selectStateDict, toFloat32, type StateDict } from '../src/io/index.js';

const shared = sharedRoot();
const weightsDir = path.join(shared, 'weights');
const goldenDir = path.join(shared, 'fixtures', 'golden');

function mustExist(p: string): string {
  if (!fs.existsSync(p)) throw new Error(`missing shared file ${p}: put the shared data beside the repository (../shared) or set SR_SHARED`);
  return p;
}

function shapes(sd: StateDict): Record<string, number[]> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.shape]));
}

/** Same keys (in order), dtypes, shapes and bytes — faster than toEqual on large typed arrays. */
function expectSameStateDict(a: StateDict, b: StateDict): void {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(a)) {
    expect([k, a[k].dtype, a[k].shape]).toEqual([k, b[k].dtype, b[k].shape]);
    const bytes = (t: StateDict[string]) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    expect(bytes(a[k]).equals(bytes(b[k]))).toBe(true);
  }
}

function sum(sd: StateDict, key: string): number {
  return toFloat32(sd[key]).reduce((a, b) => a + b, 0);
}

describe('shared/weights', () => {
  const manifest = JSON.parse(fs.readFileSync(mustExist(path.join(weightsDir, 'manifest.json')), 'utf8')) as Record<string, { tensors: Record<string, number[]> }>;

  test('manifest lists every weights file', () => {
    const onDisk: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (/\.pth(\.gz)?$|\.safetensors$/.test(e.name)) onDisk.push(path.relative(weightsDir, path.join(d, e.name)));
    };
    walk(weightsDir);
    expect(onDisk.sort()).toEqual(Object.keys(manifest).sort());
  });

  for (const rel of ['torchvision/alexnet-features.pth', 'torchvision/squeezenet1_1-features.pth', 'lpips/v0.1/alex.pth', 'lpips/v0.1/squeeze.pth', 'lpips/v0.1/vgg.pth'])
    test(`${rel}: keys and shapes equal manifest.json`, async () => {
      const sd = await readCheckpoint(mustExist(path.join(weightsDir, rel)));
      expect(shapes(sd)).toEqual(manifest[rel].tensors);
      for (const t of Object.values(sd)) expect(t.dtype).toBe('float32');
    });

  test('alexnet (zip format) values match Python', async () => {
    const sd = await readCheckpoint(path.join(weightsDir, 'torchvision/alexnet-features.pth'));
    const w = sd['features.0.weight'].data as Float32Array;
    expect(Array.from(w.subarray(0, 4))).toEqual([0.11863963305950165, 0.09406868368387222, 0.09543519467115402, 0.10515065491199493]);
    expect(sum(sd, 'features.0.weight')).toBeCloseTo(-1.8426766672619124, 3);
    expect(Array.from((sd['features.10.bias'].data as Float32Array).subarray(0, 3))).toEqual([0.03796383738517761, 0.4362584948539734, 0.19919170439243317]);
    expect(sum(sd, 'features.10.bias')).toBeCloseTo(56.12741141603328, 3);
  });

  test('LPIPS alex lin (legacy format, cuda:0 storages) values match Python', async () => {
    const sd = await readCheckpoint(path.join(weightsDir, 'lpips/v0.1/alex.pth'));
    expect(Array.from((sd['lin0.model.1.weight'].data as Float32Array).subarray(0, 3))).toEqual([3.7879954106756486e-6, 0.14750124514102936, 4.038487531943247e-6]);
    const sums = [2.3495323137195783, 16.1430274810632, 39.26843924544403, 27.197178440931964, 20.317177099761324];
    sums.forEach((s, i) => expect(sum(sd, `lin${i}.model.1.weight`)).toBeCloseTo(s, 4));
  });
});

/**
 * Σ over tensors of Σ_i x_i·((i mod 7) + 1), in float64, computed for the recorded fixture versions
 * (sha256 prefix) by an independent reader (Python's pickle with a custom find_class + numpy
 * as_strided). The weights make the sum sensitive to element order, offsets and strides.
 */
const PY_CHECKSUMS: Record<string, [string, number]> = {
  'ciaosr-edsr/weights.pth': ['c79cd3449be09720', 369.9919400211438],
  'edsr-baseline/weights_encoder.pth': ['4a29e42e232b33b3', 136.35681864720027],
  'edsr-baseline/weights_x2.pth': ['a9067910e87fb966', 97.40570364238647],
  'larsr_lar/weights.pth': ['9d0a53ed8f5612f4', 5459.928723389654],
  'larsr_lar_attn/weights.pth': ['6d73ce260bebf226', 1779.5176278742103],
  'larsr_rrdb/weights.pth': ['ea9d6a1d6076d6a9', -31.196800165314926],
  'larsr_vqvae/weights.pth': ['bcf2d2cdc2cb1e44', -529.039881963763],
  'liif-edsr/weights.pth': ['5157def1644d5c0b', -91.3799391470784],
  'lte-edsr/weights.pth': ['f9ba0baf0f45065d', 10.217859484002474],
  'rdn-small/weights.pth': ['941a608fbd684b17', 59.47601220566139],
  'refvae_x8/weights_enc.pth.gz': ['3b3a5c53e9360bfe', 755.5924110946221],
  'refvae_x8/weights_vae.pth.gz': ['6132a90f80b8aac1', -20117.786072497755],
  'rrdbnet-small/weights.pth': ['eb0d18403a270aab', 17.72110354114284],
  'rrdbnet-small/weights_basicsr.pth': ['721f44fbe8d31554', 17.72110354114284],
  'vspsr_x4/weights.pth': ['976dd992077be02f', 462.2312539530758],
};

function checksum(sd: StateDict): number {
  let tot = 0;
  for (const t of Object.values(sd)) {
    const x = toFloat32(t);
    for (let i = 0; i < x.length; i++) tot += x[i] * ((i % 7) + 1);
  }
  return tot;
}

describe('golden fixtures weights', () => {
  const cases = fs.readdirSync(mustExist(goldenDir)).filter((d) => fs.existsSync(path.join(goldenDir, d, 'case.json')));
  const files: [string, string][] = [];
  for (const c of cases) for (const f of fs.readdirSync(path.join(goldenDir, c))) if (/^weights.*\.pth(\.gz)?$/.test(f)) files.push([c, f]);

  test('there are golden weight files', () => expect(files.length).toBeGreaterThanOrEqual(10));

  for (const [c, f] of files)
    test(`${c}/${f} loads; keys and shapes equal case.json`, async () => {
      const sd = await readCheckpoint(path.join(goldenDir, c, f));
      expect(Object.keys(sd).length).toBeGreaterThan(0);
      const caseJson = JSON.parse(fs.readFileSync(path.join(goldenDir, c, 'case.json'), 'utf8')) as { files?: Record<string, { keys_and_shapes?: Record<string, number[]>; n_tensors?: number }> };
      const info = caseJson.files?.[f];
      if (info?.keys_and_shapes) {
        expect(shapes(sd)).toEqual(info.keys_and_shapes);
        expect(Object.keys(sd)).toEqual(Object.keys(info.keys_and_shapes)); // same order as torch's state_dict
      }
      if (info?.n_tensors !== undefined) expect(Object.keys(sd).length).toBe(info.n_tensors);
      for (const t of Object.values(sd)) if (t.dtype === 'float32') expect(toFloat32(t).every(Number.isFinite)).toBe(true);
      // Values: exact checksum for the recorded fixture version (other fixture variants get the checks above).
      const rec = PY_CHECKSUMS[`${c}/${f}`];
      const sha = createHash('sha256').update(fs.readFileSync(path.join(goldenDir, c, f))).digest('hex').slice(0, 16);
      if (rec && rec[0] === sha) expect(checksum(sd)).toBeCloseTo(rec[1], 6);
    });

  test('LIIF train checkpoint: state dict auto-detected at model.sd; the rest is readable', async () => {
    const p = path.join(goldenDir, 'liif-edsr', 'weights.pth');
    const obj = (await readCheckpointObject(p)) as { model: { name: string; args: Record<string, unknown>; sd: StateDict }; epoch?: unknown };
    expect(obj.model.name).toBe('liif');
    expect((obj.model.args.encoder_spec as { name: string }).name).toBe('edsr-baseline');
    expect((obj.model.args.imnet_spec as { args: { hidden_list: number[] } }).args.hidden_list).toEqual([256, 256, 256, 256]);
    const sel = selectStateDict(obj);
    expect(sel.key).toBe('model.sd');
    const sd = await readCheckpoint(p);
    expectSameStateDict(sd, obj.model.sd);
    expectSameStateDict(await readCheckpoint(p, { key: 'model.sd' }), sd);
  });

  test("rrdbnet-small BasicSR {'params': …} holds the same tensors as the bare state dict", async () => {
    const dir = path.join(goldenDir, 'rrdbnet-small');
    const obj = await readCheckpointObject(path.join(dir, 'weights_basicsr.pth'));
    expect(selectStateDict(obj).key).toBe('params');
    const a = await readCheckpoint(path.join(dir, 'weights_basicsr.pth'));
    const b = await readCheckpoint(path.join(dir, 'weights.pth'));
    expectSameStateDict(a, b);
  });
});
