import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MmeditEDSR, RRDBNet, StateDictMismatchError, readCheckpoint, writeSafetensors } from '@sr/core';
import { describeBackends, goldenRoot, maxAbsDiff } from '@sr/testkit';
import { CiaoSR, createUpscaler, normalizeGeneratorKeys, remapMmeditRdnKeys } from '../src/index.js';
import { testImage, tinyUpscaler } from './helpers.js';

describeBackends('weights', () => {
  test('the official checkpoint (.pth, official keys) loads strictly into the default EDSR-baseline model', async () => {
    const file = path.join(goldenRoot(), 'ciaosr-edsr', 'weights.pth');
    const sr = await createUpscaler({ weights: file });
    expect(sr.model.numParameters()).toBe(1220416 + 1428614); // EDSR-baseline trunk + CiaoSR decoder (notes §4.6)
    sr.dispose();
  });

  test('our safetensors round-trips; mmcv (state_dict.generator.*) and DataParallel prefixes are accepted', async () => {
    const a = await tinyUpscaler();
    const sd = await a.model.stateDict();
    const bytes = writeSafetensors(sd);
    const b = await createUpscaler({ weights: bytes, backbone: new MmeditEDSR({ midChannels: 8, numBlocks: 1, encoder: true }), head: { hiddenList: [16, 16] } });
    const img = testImage(5, 6);
    const [x, y] = [await a.upscale(img, { scale: 2 }), await b.upscale(img, { scale: 2 })];
    const [tx, ty] = [x.toTensor(), y.toTensor()];
    expect(await maxAbsDiff(tx, ty)).toBe(0);
    const mmcv = Object.fromEntries(Object.entries(sd).map(([k, v]) => [`state_dict.generator.${k}`, v]));
    mmcv['state_dict.discriminator.conv.weight'] = sd['conv_first.weight'];
    expect(Object.keys(normalizeGeneratorKeys(mmcv)).sort()).toEqual(Object.keys(sd).sort());
    const dp = Object.fromEntries(Object.entries(sd).map(([k, v]) => [`module.${k}`, v]));
    expect(() => b.model.loadWeights(dp)).not.toThrow();
    const { ['imnet_q.layers.0.weight']: _drop, ...missing } = sd;
    expect(() => b.model.loadWeights(missing)).toThrow(StateDictMismatchError);
    tf.dispose([tx, ty, img]);
    [x, y].forEach((o) => o.dispose());
    a.dispose();
    b.dispose();
  });

  test('RRDBNet backbone and mmedit RDN key renaming', async () => {
    const m = new CiaoSR(new RRDBNet({ numFeat: 8, numBlock: 1, numGrowCh: 4, noUpsampling: true }), { hiddenList: [8] });
    const keys = Object.keys(await m.stateDict());
    expect(keys).toContain('body.0.rdb1.conv1.weight');
    expect(keys).toContain('conv_body.weight');
    m.dispose();
    const t = { dtype: 'float32' as const, shape: [1], data: new Float32Array(1) };
    expect(Object.keys(remapMmeditRdnKeys({ 'sfe1.weight': t, 'rdbs.3.layers.2.conv.bias': t, 'rdbs.0.lff.weight': t, 'gff.1.weight': t, 'imnet_q.layers.0.bias': t }))).toEqual([
      'SFENet1.weight',
      'RDBs.3.convs.2.conv.0.bias',
      'RDBs.0.LFF.weight',
      'GFF.1.weight',
      'imnet_q.layers.0.bias',
    ]);
    expect(await readCheckpoint(writeSafetensors({ x: t }))).toHaveProperty('x');
  });
});
