import * as tf from '@tensorflow/tfjs-core';
import { InputError, type StateDict } from '@sr/core';
import { describeBackends } from '@sr/testkit';
import { CiaoSR, createCiaoSRBackbone, pruneHeadHidden, runTiledCiaoSR, type TrainModelConfig } from '../src/index.js';

const CONFIG: TrainModelConfig = { backbone: 'edsr-baseline', feats: 8, blocks: 1, hidden: [12, 10] };
const build = (c: TrainModelConfig) => new CiaoSR(createCiaoSRBackbone(c.backbone, { feats: c.feats, blocks: c.blocks }), { hiddenList: c.hidden });

describeBackends('pruneHeadHidden', () => {
  test('keeping every unit is the identity; a pruned state dict loads strictly into the smaller model', async () => {
    const big = build(CONFIG);
    const sd: StateDict = await big.stateDict();
    const lr = tf.randomUniform([1, 6, 7, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const run = async (m: CiaoSR) => {
      const lq = m.normalize(lr);
      const out = await runTiledCiaoSR(m, lq, 15, 17);
      lq.dispose();
      return out;
    };
    const same = pruneHeadHidden(sd, CONFIG, [12, 10]);
    const again = build(same.config);
    again.loadWeights(same.stateDict);
    expect(Array.from(await run(again))).toEqual(Array.from(await run(big)));
    const small = pruneHeadHidden(sd, CONFIG, [5, 3]);
    expect(small.config).toEqual({ ...CONFIG, hidden: [5, 3] });
    expect(small.stateDict['imnet_v.layers.0.weight']!.shape).toEqual([5, 9 * 8 + 8 + 4]);
    expect(small.stateDict['imnet_v.layers.2.weight']!.shape).toEqual([3, 5]);
    expect(small.stateDict['imnet_v.layers.4.weight']!.shape).toEqual([80, 3]);
    const pruned = build(small.config);
    pruned.loadWeights(small.stateDict); // strict: every key present, with its shape
    expect((await run(pruned)).length).toBe(15 * 17 * 3);
    lr.dispose();
    [big, again, pruned].forEach((m) => m.dispose());
  });
});

describe('pruneHeadHidden (checkpoint records)', () => {
  test('keeps the units with the largest ‖W_in‖·‖W_out‖, in their order; rejects bad sizes', () => {
    // imnet_q only matters here; one hidden layer of 3 units, unit 1 dead (zero output weights)
    const f = (shape: number[], values: number[]) => ({ dtype: 'float32' as const, shape, data: Float32Array.from(values) });
    const net = (p: string) => ({
      [`${p}.layers.0.weight`]: f([3, 2], [1, 0, 5, 5, 0, 2]),
      [`${p}.layers.0.bias`]: f([3], [0.1, 0.2, 0.3]),
      [`${p}.layers.2.weight`]: f([1, 3], [1, 0, 1]),
      [`${p}.layers.2.bias`]: f([1], [0]),
    });
    const sd: StateDict = { ...net('imnet_q'), ...net('imnet_k'), ...net('imnet_v') };
    const c: TrainModelConfig = { backbone: 'edsr-baseline', feats: 2, blocks: 1, hidden: [3] };
    const { stateDict } = pruneHeadHidden(sd, c, [2]);
    expect(Array.from(stateDict['imnet_q.layers.0.weight']!.data as Float32Array)).toEqual([1, 0, 0, 2]); // units 0 and 2
    expect(Array.from(stateDict['imnet_q.layers.0.bias']!.data as Float32Array)).toEqual([Math.fround(0.1), Math.fround(0.3)]);
    expect(Array.from(stateDict['imnet_q.layers.2.weight']!.data as Float32Array)).toEqual([1, 1]);
    expect(() => pruneHeadHidden(sd, c, [4])).toThrow(InputError);
    expect(() => pruneHeadHidden(sd, c, [2, 2])).toThrow(/need 1 hidden sizes/);
    const { ['imnet_k.layers.2.weight']: _, ...missing } = sd;
    expect(() => pruneHeadHidden(missing, c, [2])).toThrow(/missing or non-float32 'imnet_k\.layers\.2\.weight'/);
  });
});
