import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, readNpy } from '@sr/core';
import { describeBackends, sharedRoot } from '@sr/testkit';
import { createLpips, Vgg16Features, type Lpips } from '../src/index.js';

const fx = (f: string) => {
  const p = path.join(sharedRoot(), 'fixtures', 'lpips', f);
  if (!fs.existsSync(p)) throw new Error(`fixture missing: ${p} (put ../shared beside the repository)`);
  return p;
};
const weights = (f: string) => {
  const p = path.join(sharedRoot(), 'weights', f);
  if (!fs.existsSync(p)) throw new Error(`weights missing: ${p} (see shared/weights/README.md)`);
  return p;
};
const BACKBONE = { alex: 'torchvision/alexnet-features.pth', squeeze: 'torchvision/squeezenet1_1-features.pth' } as const;

describeBackends('LPIPS v0.1 reproduces PerceptualSimilarity (shared/fixtures/lpips)', () => {
  for (const net of ['alex', 'squeeze'] as const) {
    describe(net, () => {
      let model: Lpips;
      const expected = () => JSON.parse(fs.readFileSync(fx('expected.json'), 'utf8')).values[net];
      beforeAll(async () => {
        model = await createLpips({ net, backboneWeights: weights(BACKBONE[net]), linWeights: weights(`lpips/v0.1/${net}.pth`) });
      });
      afterAll(() => model?.dispose());

      it('scalars and per-layer values within 1e-4', async () => {
        const e = expected();
        for (const p of ['p0', 'p1'] as const) {
          const d = await expectNoLeak(() => model.distance(fx('ex_ref.png'), fx(`ex_${p}.png`)));
          expect(Math.abs(d - e[`ref_${p}`])).toBeLessThan(1e-4);
          const layers = await model.perLayer(fx('ex_ref.png'), fx(`ex_${p}.png`));
          expect(layers).toHaveLength(e[`ref_${p}_per_layer`].length);
          layers.forEach((v, k) => expect(Math.abs(v - e[`ref_${p}_per_layer`][k])).toBeLessThan(1e-4));
        }
      });

      it('spatial map within 1e-4 per element', async () => {
        const e = expected().spatial_ref_p0;
        const ref = readNpy(fs.readFileSync(fx(e.file)));
        const m = await expectNoLeak(() => model.distance(fx('ex_ref.png'), fx('ex_p0.png'), { spatial: true }));
        expect([1, 1, m.height, m.width]).toEqual(ref.shape);
        let max = 0;
        const r = ref.data as Float32Array;
        for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(m.data[i]! - r[i]!));
        expect(max).toBeLessThan(1e-4);
        expect(Math.abs(m.mean - e.mean)).toBeLessThan(1e-5);
      });

      it('identical images give 0; tensor forward API is leak-free and batched', async () => {
        expect(await model.distance(fx('ex_ref.png'), fx('ex_ref.png'))).toBe(0);
        const x0 = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
        const x1 = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
        const out = await expectNoLeak(() => model.forward(x0, x1, { spatial: true }), 2 + model.numLayers);
        expect(out.value.shape).toEqual([2]);
        expect(out.map!.shape).toEqual([2, 32, 32, 1]);
        const sum = tf.addN(out.perLayer);
        const diff = tf.sub(sum, out.value);
        expect(Math.max(...Array.from(await diff.data(), Math.abs))).toBeLessThan(1e-6);
        diff.dispose();
        tf.dispose([x0, x1, out.value, out.map!, ...out.perLayer, sum]);
      });
    });
  }
});

describe('LPIPS structure and errors', () => {
  it('VGG16: torchvision keys and shapes, 5 taps (random weights)', async () => {
    const m = await createLpips({ net: 'vgg', randomWeights: true });
    const keys = m.backbone.namedParameters().map(([k, p]) => `${k}:${p.torchShape.join('x')}`);
    expect(keys).toContain('features.0.weight:64x3x3x3');
    expect(keys).toContain('features.28.weight:512x512x3x3');
    expect(keys).toHaveLength(26);
    const lins = m.lins.namedParameters().map(([k, p]) => `${k}:${p.torchShape.join('x')}`);
    expect(lins).toEqual(['lin0.model.1.weight:1x64x1x1', 'lin1.model.1.weight:1x128x1x1', 'lin2.model.1.weight:1x256x1x1', 'lin3.model.1.weight:1x512x1x1', 'lin4.model.1.weight:1x512x1x1']);
    // the real VGG lin file loads into this structure
    const real = await createLpips({ net: 'vgg', randomWeights: true, linWeights: weights('lpips/v0.1/vgg.pth') });
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const taps = (m.backbone as Vgg16Features).taps(x);
    expect(taps.map((t) => t.shape)).toEqual([[1, 32, 32, 64], [1, 16, 16, 128], [1, 8, 8, 256], [1, 4, 4, 512], [1, 2, 2, 512]]);
    tf.dispose([x, ...taps]);
    m.dispose();
    real.dispose();
  });

  it('clear errors: missing weights, wrong file, size mismatch, gray input', async () => {
    await expect(createLpips({ net: 'alex' })).rejects.toThrow(/never downloaded/);
    await expect(
      createLpips({ net: 'squeeze', backboneWeights: weights(BACKBONE.alex), linWeights: weights('lpips/v0.1/squeeze.pth') }),
    ).rejects.toThrow(/missing keys|unexpected keys|shape mismatch/);
    const m = await createLpips({ net: 'alex', randomWeights: true });
    const a = tf.zeros([64, 64, 3]);
    const b = tf.zeros([64, 60, 3]);
    const g = tf.zeros([64, 64, 1]);
    await expect(m.distance(a, b)).rejects.toThrow(/differ in size/);
    await expect(m.distance(g, g)).rejects.toThrow(/RGB/);
    tf.dispose([a, b, g]);
    m.dispose();
  });
});
