import * as tf from '@tensorflow/tfjs-core';
import { InputError, expectNoLeak } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import { LocalAR, TexVQVAE, createLarSR, inferVqvaeConfig, type LarSR } from '@sr/lar-sr';

const config = {
  vqvae: { channel: 8, nResBlock: 1, nResChannel: 4, embedDim: 4, nEmbed: 16 },
  lar: { patchSize: 2, channel: 8, nEmbed: 16, block: 1 },
};

describeBackends('createLarSR / sample', () => {
  let lar: LarSR;
  beforeAll(async () => {
    lar = await createLarSR({ config });
  });
  afterAll(() => lar.dispose());

  test('same seed → identical samples, different seeds → different; no leaks across the s² steps', async () => {
    // 20×24 is not a multiple of 16: exercises the pad-and-crop path too.
    const img = tf.randomUniform([20, 24, 3]) as tf.Tensor3D;
    const run = (seed: number) =>
      expectNoLeak(async () => {
        const rs = await lar.sample(img, { count: 3, seed });
        const ts = rs.map((r) => r.toTensor());
        rs.forEach((r) => r.dispose());
        return ts;
      }, 3);
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a[0]!.shape).toEqual([1, 20, 24, 3]);
    for (let i = 0; i < 3; i++) expect(await maxAbsDiff(a[i]!, b[i]!)).toBe(0);
    expect(await maxAbsDiff(a[0]!, c[0]!)).toBeGreaterThan(0);
    expect(await maxAbsDiff(a[0]!, a[1]!)).toBeGreaterThan(0); // samples of one call differ too
    // Sample j does not depend on the batch size.
    const [single] = await lar.sample(img, { count: 2, seed: 7, batchSize: 1 }).then((rs) => {
      const t = rs.map((r) => r.toTensor());
      rs.forEach((r) => r.dispose());
      return [t[1]!, t[0]!.dispose()];
    });
    expect(await maxAbsDiff(single!, a[1]!)).toBe(0);
    tf.dispose([img, single!, ...a, ...b, ...c]);
  });

  test('greedy mode is deterministic across seeds and equals top-1 sampling; PNG and ImageData', async () => {
    const img = tf.randomUniform([1, 16, 16, 3]) as tf.Tensor4D;
    const [g1] = await lar.sample(img, { greedy: true, seed: 1 });
    const [g2] = await lar.sample(img, { greedy: true, seed: 2, temperature: 0.5 });
    const [k1] = await lar.sample(img, { topK: 1, seed: 3 }); // top-1 sampling is the argmax
    const [t1, t2, t3] = [g1!.toTensor(), g2!.toTensor(), k1!.toTensor()];
    expect(await maxAbsDiff(t1, t2)).toBe(0);
    expect(await maxAbsDiff(t1, t3)).toBe(0);
    k1!.dispose();
    const png = await g1!.toPNG();
    expect(Array.from(png.slice(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    expect((await g1!.toImageData()).data.length).toBe(16 * 16 * 4);
    g1!.dispose();
    g2!.dispose();
    tf.dispose([img, t1, t2, t3]);
  });

  test('bad options are InputErrors naming the fix', async () => {
    const img = tf.zeros([16, 16, 3]) as tf.Tensor3D;
    await expect(lar.sample(img, { patchSize: 4 })).rejects.toThrow(/patch size 2/);
    await expect(lar.sample(img, { count: 0 })).rejects.toBeInstanceOf(InputError);
    await expect(lar.sample(img, { count: 1e9 })).rejects.toMatchObject({ code: 'E_OPTION', message: expect.stringMatching(/count must be an integer in 1\.\.1000, got 1000000000/) });
    await expect(lar.sample(img, { temperature: 0 })).rejects.toThrow(/temperature/);
    img.dispose();
  });

  test('loads state dicts by key (sizes read off the shapes); rejects mismatched codebooks', async () => {
    const vq = new TexVQVAE(config.vqvae);
    const ar = new LocalAR({ ...config.lar, variant: 'lar-attn' });
    const sdVq = await vq.stateDict();
    expect(inferVqvaeConfig(sdVq)).toEqual({ inChannel: 3, ...config.vqvae });
    const loaded = await createLarSR({ weights: { vqvae: sdVq, lar: await ar.stateDict() } });
    expect(loaded.patchSize).toBe(2);
    expect(loaded.lar.config.variant).toBe('lar-attn');
    expect(await maxAbsDiff(loaded.vqvae.quantizeB.embed, vq.quantizeB.embed)).toBe(0);
    loaded.dispose();
    const other = new LocalAR({ ...config.lar, nEmbed: 32 });
    await expect(createLarSR({ weights: { vqvae: sdVq, lar: await other.stateDict() } })).rejects.toThrow(/codebook size 32/);
    [vq, ar, other].forEach((m) => m.dispose());
  });
});
