import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MmeditEDSR, initBackend, writeSafetensors } from '@sr/core';
import { CLSR, ciaosrEncoderToEdsr, createLocalSR, decodeDefaultWeights, DEFAULT_WEIGHTS_ENV, LOCALSR_CONFIG_KEY } from '../src/index.js';

describe('built-in LocalSR plumbing', () => {
  beforeAll(() => initBackend('cpu'));

  it('maps a CiaoSR (mmedit EDSR) encoder onto the staged EDSR: same features away from the border', async () => {
    const enc = new MmeditEDSR({ midChannels: 8, numBlocks: 2, encoder: true });
    const sd = await enc.stateDict();
    const m = ciaosrEncoderToEdsr(sd);
    expect([m.channels, m.blocks]).toEqual([8, 2]);
    const c = new CLSR({ backbone: 'edsr', backboneConfig: { channels: 8, blocks: 2 }, gcm: false, pim: false });
    c.base.module.loadStateDict(m.weights, { ignore: (k) => k.startsWith('tail.') || k.startsWith('sub_mean.') || k.startsWith('add_mean.') });
    const before = tf.memory().numTensors;
    const diff = tf.tidy(() => {
      const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const a = enc.encode(tf.sub(x, tf.tensor1d([0.4488, 0.4371, 0.404])) as tf.Tensor4D);
      const h = c.base.head(x);
      let z = h;
      for (let i = 0; i < c.base.numStages; i++) z = c.base.stage(i, z);
      const b = c.base.post(z, h);
      // receptive-field radius 1 + 2·2 + 1 = 6: the centre 4×4 never sees the padding
      return tf.max(tf.abs(tf.sub(tf.slice(a, [0, 6, 6, 0], [1, 4, 4, 8]), tf.slice(b, [0, 6, 6, 0], [1, 4, 4, 8])))).dataSync()[0];
    });
    expect(diff).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
    c.dispose();
  });

  it("createLocalSR({ weights: 'default' }) builds the stored configuration; no configuration is a clear error", async () => {
    const cfg = { backbone: 'edsr', backboneConfig: { channels: 8, blocks: 2 }, padding: 5, numPatches: 16, gcmStages: 1 };
    const m = new CLSR(cfg as never);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'localsr-default-')), 'default.safetensors');
    fs.writeFileSync(file, writeSafetensors(await m.stateDict(), { [LOCALSR_CONFIG_KEY]: JSON.stringify(cfg) }));
    m.dispose();
    process.env[DEFAULT_WEIGHTS_ENV] = file;
    try {
      const local = await createLocalSR({ weights: 'default' });
      expect([local.model.base.channels, local.model.base.numStages, local.model.padding]).toEqual([8, 2, 5]);
      local.dispose();
    } finally {
      delete process.env[DEFAULT_WEIGHTS_ENV];
    }
    expect(() => decodeDefaultWeights(writeSafetensors({ a: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }))).toThrow(/no LocalSR configuration/);
  });
});
