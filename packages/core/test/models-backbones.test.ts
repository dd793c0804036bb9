import * as tf from '@tensorflow/tfjs-core';
import {
  BACKBONE_DEFAULTS,
  createBackbone,
  EDSR,
  ensureGradients,
  expectNoLeak,
  MmeditEDSR,
  RDN,
  remapEsrganKeys,
  RRDBNet,
  type Backbone,
  type Module,
  type StateDict,
} from '@sr/core';
import { describeBackends, openCase } from '@sr/testkit';

/** Official `{key: shape}` of a case's weights file, from its case.json. */
function officialShapes(caseName: string, file: string): Record<string, number[]> {
  const ks = openCase(caseName).json.files?.[file]?.keys_and_shapes;
  if (!ks) throw new Error(`${caseName}/case.json has no keys_and_shapes for ${file}`);
  return Array.isArray(ks) ? Object.fromEntries(ks) : ks;
}

const ownShapes = (m: Module) => Object.fromEntries(m.namedParameters().map(([k, p]) => [k, p.torchShape]));

describe('backbones: official names and sizes', () => {
  test('state-dict keys and shapes equal the official checkpoints', () => {
    const cases: [string, string, () => Module, ((k: string) => boolean)?][] = [
      ['edsr-baseline', 'weights_encoder.pth', () => new EDSR({ noUpsampling: true })],
      ['edsr-baseline', 'weights_x2.pth', () => new EDSR({ scale: 2 })],
      ['rdn-small', 'weights.pth', () => new RDN({ D: 2, C: 3, G: 16, noUpsampling: true })],
      ['rrdbnet-small', 'weights.pth', () => new RRDBNet({ numFeat: 32, numBlock: 2, numGrowCh: 16 })],
      // CiaoSR's generator holds mmedit's EDSR feature part next to its own decoder keys.
      ['ciaosr-edsr', 'weights.pth', () => new MmeditEDSR({ encoder: true }), (k) => /^(conv_first|body|conv_after_body)\./.test(k)],
    ];
    for (const [name, file, make, filter] of cases) {
      const official = Object.fromEntries(Object.entries(officialShapes(name, file)).filter(([k]) => !filter || filter(k)));
      const m = make();
      expect(ownShapes(m)).toEqual(official);
      m.dispose();
    }
  });

  test('official default configurations and parameter counts (notes §5)', () => {
    const edsr = createBackbone('edsr-baseline');
    expect([edsr.channels, edsr.numParameters(), edsr.receptiveField]).toEqual([64, 1220416, 34]);
    edsr.dispose();
    const rdn = createBackbone('rdn');
    expect([rdn.channels, rdn.D, rdn.C, rdn.G, rdn.numParameters()]).toEqual([64, 16, 8, 64, 21973952]);
    rdn.dispose();
    // One ESRGAN build (16.7M weights): the encoder is the full model minus the ×4 tail.
    const full = createBackbone('rrdbnet', { noUpsampling: false });
    const tail = full.namedParameters().filter(([k]) => /^conv_(up1|up2|hr|last)\./.test(k));
    const tailCount = tail.reduce((a, [, p]) => a + p.variable.size, 0);
    expect([full.channels, full.numParameters(), full.numParameters() - tailCount]).toEqual([64, 16697987, 16585472]);
    full.dispose();
    expect(Object.keys(BACKBONE_DEFAULTS)).toEqual(['edsr-baseline', 'edsr', 'mmedit-edsr', 'rdn', 'rrdbnet']);
    expect(() => createBackbone('nope' as 'rdn')).toThrow(/unknown backbone 'nope'/);
    expect(() => new RRDBNet({ scale: 2, noUpsampling: true })).toThrow(/encoder mode needs scale 4/);
  });

  test('remapEsrganKeys maps the original ESRGAN / LAR-SR names to BasicSR', () => {
    const t = { dtype: 'float32' as const, shape: [1], data: new Float32Array(1) };
    const sd: StateDict = { 'RRDB_trunk.0.RDB1.conv1.weight': t, 'trunk_conv.bias': t, 'upconv2.weight': t, 'HRconv.bias': t, 'conv_last.weight': t };
    expect(Object.keys(remapEsrganKeys(sd))).toEqual(['body.0.rdb1.conv1.weight', 'conv_body.bias', 'conv_up2.weight', 'conv_hr.bias', 'conv_last.weight']);
  });
});

/** Small instances of every backbone (encoder mode) for the numerical tests. */
function smallBackbones(): [string, Module & Backbone][] {
  return [
    ['edsr', new EDSR({ nResblocks: 2, nFeats: 8, noUpsampling: true })],
    ['mmedit-edsr', new MmeditEDSR({ numBlocks: 2, midChannels: 8, encoder: true })],
    ['rdn', new RDN({ G0: 8, D: 2, C: 2, G: 4, noUpsampling: true })],
    ['rrdbnet', new RRDBNet({ numFeat: 8, numBlock: 1, numGrowCh: 4, noUpsampling: true })],
  ];
}

describeBackends('backbones: forward, receptive field, training', () => {
  beforeAll(() => ensureGradients());

  test('receptiveField is exactly how far one input pixel reaches in the features', async () => {
    for (const [name, m] of smallBackbones()) {
      // Unit-gain weights: with ESRGAN's 0.1-scaled init and ×0.2 residuals the farthest paths are
      // ~1e-30 of the features and vanish in float32 rounding.
      // Seeded, so no run can hit a pattern where ReLUs kill every path to the far ring.
      m.namedParameters().forEach(([, p], i) => {
        const fanIn = p.variable.size / (p.variable.shape[3] as number);
        const std = p.variable.rank === 4 ? Math.sqrt(2 / fanIn) : 0.1;
        tf.tidy(() => p.variable.assign(tf.randomNormal(p.variable.shape, 0, std, 'float32', 100 + i)));
      });
      const n = 2 * m.receptiveField + 5;
      const c = Math.floor(n / 2);
      const x = tf.randomNormal([1, n, n, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const delta = new Float32Array(n * n);
      delta[c * n + c] = 1;
      const bump = tf.tidy(() => tf.add(x, tf.tensor4d(delta, [1, n, n, 1])) as tf.Tensor4D);
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(m.encode(bump), m.encode(x))), 3));
      const diff = await d.data();
      let reach = 0;
      for (let i = 0; i < n * n; i++) if (diff[i] > 0) reach = Math.max(reach, Math.abs(Math.floor(i / n) - c), Math.abs((i % n) - c));
      expect([name, reach]).toEqual([name, m.receptiveField]);
      const f = await expectNoLeak(() => m.encode(x), 1);
      expect(f.shape).toEqual([1, n, n, m.channels]);
      f.dispose();
      tf.dispose([x, bump, d]);
      m.dispose();
    }
  });

  test('full models upsample: EDSR ×3/×4, RDN ×2/×3/×4, RRDBNet ×4 and pixel-unshuffle ×2/×1', () => {
    const x = tf.randomNormal([1, 8, 8, 3]) as tf.Tensor4D;
    const models: [Module & { forward(x: tf.Tensor): tf.Tensor4D }, number][] = [
      [new EDSR({ nResblocks: 1, nFeats: 8, scale: 3 }), 3],
      [new EDSR({ nResblocks: 1, nFeats: 8, scale: 4 }), 4],
      [new MmeditEDSR({ numBlocks: 1, midChannels: 8, upscaleFactor: 4 }), 4],
      [new RDN({ G0: 8, D: 1, C: 2, G: 4, scale: 2 }), 2],
      [new RDN({ G0: 8, D: 1, C: 2, G: 4, scale: 3 }), 3],
      [new RDN({ G0: 8, D: 1, C: 2, G: 4, scale: 4 }), 4],
      [new RRDBNet({ numFeat: 8, numBlock: 1, numGrowCh: 4 }), 4],
      [new RRDBNet({ numFeat: 8, numBlock: 1, numGrowCh: 4, scale: 2 }), 2],
      [new RRDBNet({ numFeat: 8, numBlock: 1, numGrowCh: 4, scale: 1 }), 1],
    ];
    for (const [m, s] of models) {
      const y = m.forward(x);
      expect(y.shape).toEqual([1, 8 * s, 8 * s, 3]);
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });

  test('gradients reach every parameter; one Adam step lowers an L1 loss on a fixed batch', async () => {
    for (const [name, m] of smallBackbones()) {
      const x = tf.randomUniform([2, 6, 6, 3], -1, 1, 'float32', 3);
      const target = tf.randomUniform([2, 6, 6, m.channels], -1, 1, 'float32', 4);
      const vars = m.trainableVariables();
      const loss = () => tf.mean(tf.abs(tf.sub(m.encode(x as tf.Tensor4D), target))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, vars);
      for (const v of vars) expect([name, v.name, (await tf.sum(tf.abs(grads[v.name])).data())[0] > 0]).toEqual([name, v.name, true]);
      const before = await value.data();
      const snapshot = tf.clone(vars[0]);
      const opt = tf.train.adam(1e-3);
      opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      const after = tf.tidy(loss);
      expect((await after.data())[0]).toBeLessThan(before[0]);
      expect((await tf.max(tf.abs(tf.sub(snapshot, vars[0]))).data())[0]).toBeGreaterThan(0);
      tf.dispose([x, target, value, after, snapshot, ...Object.values(grads)]);
      opt.dispose();
      m.dispose();
    }
  });
});
