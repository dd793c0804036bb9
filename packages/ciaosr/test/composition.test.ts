import * as tf from '@tensorflow/tfjs-core';
import { InputError, MmeditEDSR, RDN, backboneFromFunction } from '@sr/core';
import { describeBackends } from '@sr/testkit';
import { CiaoSR, CiaoSRHead } from '../src/index.js';
import { testImage, tinyUpscaler, userBackbone } from './helpers.js';

describeBackends('CiaoSR head composition', () => {
  const cases: [string, () => any][] = [
    ['mmedit EDSR', () => new MmeditEDSR({ midChannels: 8, numBlocks: 1, encoder: true })],
    ['RDN', () => new RDN({ G0: 8, D: 2, C: 2, G: 4, noUpsampling: true })],
    ['a user tfjs function', () => userBackbone(8)],
  ];
  for (const [name, make] of cases) {
    test(`head on ${name}: ×2.5 of a 6×5 image`, async () => {
      const bb = make();
      const sr = await tinyUpscaler(bb);
      const img = testImage(6, 5);
      const out = await sr.upscale(img, { scale: 2.5 });
      expect([out.height, out.width, out.channels]).toEqual([15, 12, 3]); // round(12.5) = 12 (half-to-even)
      const t = out.toTensor();
      const v = await t.data();
      expect(v.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true);
      tf.dispose([t, img]);
      out.dispose();
      sr.dispose();
      bb.dispose?.();
    });
  }

  test('state dict keys are the official generator keys', async () => {
    const sr = await tinyUpscaler();
    const keys = Object.keys(await sr.model.stateDict());
    expect(keys).toContain('conv_first.weight');
    expect(keys).toContain('body.0.conv1.weight');
    expect(keys).toContain('conv_after_body.bias');
    expect(keys).toContain('imnet_k.layers.4.weight');
    expect(keys).toContain('cs_attn.conv_match_1.1.weight');
    expect(keys).toContain('cs_attn.escape_NaN');
    sr.dispose();
  });

  test('channel mismatch is an InputError (construction and encode time)', async () => {
    const bb = userBackbone(8);
    expect(() => new CiaoSR(bb, new CiaoSRHead({ channels: 16, hiddenList: [4] }))).toThrow(InputError);
    // A function that lies about its channel count fails clearly at upscale time.
    const liar = backboneFromFunction((x) => tf.tidy(() => tf.tile(x, [1, 1, 1, 2])), 8, 0);
    const sr = await tinyUpscaler(liar);
    const img = testImage(4, 4);
    await expect(sr.upscale(img, { scale: 2 })).rejects.toThrow(/6 channels/);
    tf.dispose(img);
    sr.dispose();
    bb.dispose();
  });
});
