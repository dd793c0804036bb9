import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';
import {
  LocalAR, chooseIndices, coordinateBackground, foldIndexMap, foldPatches, inferLarConfig, larSizeMultiple, sampleIndices,
  sampleRng, unfoldIndexMap, unfoldPatches, type LarVariant,
} from '@sr/lar-sr';

const tiny = (variant: LarVariant, patchSize: number) => new LocalAR({ variant, patchSize, channel: 8, nEmbed: 16, block: 2 });

describeBackends('LAR module', () => {
  test('unfold/fold: raster order inside each patch, exact inverse', async () => {
    const x = tf.reshape(tf.range(0, 2 * 8 * 12 * 3), [2, 8, 12, 3]);
    const u = unfoldPatches(x, 4);
    expect(u.shape).toEqual([2, 16, 2, 3, 3]);
    const ua = (await u.array()) as number[][][][][];
    const xa = (await x.array()) as number[][][][];
    // pixel (y, x) = patch (y / 4, x / 4), position p = (y % 4)·4 + x % 4
    expect(ua[1]![(5 % 4) * 4 + (7 % 4)]![1]![1]![2]).toBe(xa[1]![5]![7]![2]);
    expect(await maxAbsDiff(foldPatches(u, 4), x)).toBe(0);
    const ids = tf.cast(tf.reshape(tf.range(0, 36), [1, 6, 6]), 'int32');
    expect(await maxAbsDiff(foldIndexMap(unfoldIndexMap(ids, 3), 3), ids)).toBe(0);
    tf.dispose([x, u, ids]);
  });

  test('coordinate background matches the official formula; s = 1 gives 0 instead of NaN', async () => {
    const bg = (await coordinateBackground(4).array())[0]!;
    expect(bg[0]![1]![3]).toBeCloseTo((1 - 1.5) / 3, 6); // row coordinate of (r=1, c=3)
    expect(bg[1]![1]![3]).toBeCloseTo((3 - 1.5) / 3, 6); // column coordinate
    expect((await coordinateBackground(1).data())).toEqual(new Float32Array([0, 0]));
    expect(larSizeMultiple(4)).toBe(16);
    expect(larSizeMultiple(3)).toBe(48);
  });

  test('state-dict keys are official and the config is read back from them', async () => {
    for (const variant of ['lar', 'lar-attn'] as const) {
      const m = tiny(variant, 2);
      const sd = await m.stateDict();
      expect(Object.keys(sd)).toContain('sr_encode.0.up6.weight');
      expect(Object.keys(sd)).toContain('init_conv.4.weight');
      expect(Object.keys(sd)).toContain(variant === 'lar' ? 'gate_conv_group.1.h_blocks.3.3.weight' : 'gate_conv_group.1.attention.in_proj_weight');
      expect(inferLarConfig(sd)).toEqual({ variant, patchSize: 2, channel: 8, nEmbed: 16, block: 2 });
      m.dispose();
    }
  });

  // The sampler runs the layers incrementally (one position per step, caching earlier inputs); the
  // teacher-forced pass on the sampled map must give the very same per-step distributions.
  for (const [variant, s] of [['lar', 2], ['lar-attn', 2], ['lar', 3], ['lar-attn', 1]] as const) {
    test(`incremental sampling equals the teacher-forced pass (${variant}, s=${s})`, async () => {
      const m = tiny(variant, s);
      const size = larSizeMultiple(s);
      const xc = tf.randomUniform([s === 3 ? 1 : 2, size, size, 3]) as tf.Tensor4D;
      const steps: Float32Array[] = [];
      const ids = await expectNoLeak(() => sampleIndices(m, xc, { seed: 3, onStep: (_, p) => steps.push(p.slice()) }), 1);
      expect(steps).toHaveLength(s * s);
      expect(ids.shape).toEqual([xc.shape[0], size / 2, size / 2]);
      const probs = tf.tidy(() => unfoldPatches(tf.softmax(m.forward(ids, xc)), s)); // [B, s², h, w, K]
      for (let i = 0; i < s * s; i++) {
        const ref = tf.slice(probs, [0, i, 0, 0, 0], [-1, 1, -1, -1, -1]);
        expect(await maxAbsDiff(ref, steps[i]!)).toBeLessThan(1e-5);
        ref.dispose();
      }
      tf.dispose([xc, ids, probs]);
      m.dispose();
    });
  }

  test('chooseIndices: greedy, injected Gumbel-max, the argmax flag, top-k', async () => {
    const p = new Float32Array([0.1, 0.6, 0.3, 0.5, 0.2, 0.3]);
    expect(Array.from(chooseIndices(p, 2, 3, 0, { greedy: true }, []))).toEqual([1, 0]);
    const q = [1, 10, 0.1, 1, 1, 0.01];
    const noise = { expNoise: () => q, argmaxMask: () => [0, 0] };
    expect(Array.from(chooseIndices(p, 2, 3, 0, { noise }, []))).toEqual([2, 2]); // argmax(p / q)
    expect(Array.from(chooseIndices(p, 2, 3, 0, { noise: { ...noise, argmaxMask: () => [1, 0] } }, []))).toEqual([1, 2]);
    // Top-k candidates (here k' = 1: codes 1 and 0) are given with their code indices.
    expect(Array.from(chooseIndices(new Float32Array([0.6, 0.5]), 2, 3, 0, { noise }, [], new Int32Array([1, 0])))).toEqual([1, 0]);
    // Seeded inverse-CDF draws follow the distribution.
    const rng = sampleRng(1, 0);
    const counts = [0, 0, 0];
    const probs1 = new Float32Array([0.1, 0.6, 0.3]);
    for (let t = 0; t < 4000; t++) counts[chooseIndices(probs1, 1, 3, 0, { argmaxProb: 0 }, [rng])[0]!]!++;
    expect(counts.map((c) => Math.round((c / 4000) * 10) / 10)).toEqual([0.1, 0.6, 0.3]);
  });
});
