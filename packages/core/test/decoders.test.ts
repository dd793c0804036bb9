import * as tf from '@tensorflow/tfjs-core';
import {
  Conv2d,
  LIIF,
  LTE,
  Module,
  ensureGradients,
  expectNoLeak,
  gridSampleBilinear,
  gridSampleNearest,
  makeCell,
  makeCoord,
  unfold3x3,
  type Backbone,
} from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';

/** A one-conv encoder: enough to exercise the decoders quickly. */
class TinyEncoder extends Module implements Backbone {
  readonly conv = this.child('conv', new Conv2d(3, 8, 3, { padding: 1 }));
  readonly channels = 8;
  readonly receptiveField = 1;
  encode(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.forward(x);
  }
}

/** The official LIIF query written the straightforward PyTorch way: unfold the map, 4 grid_samples, MLP each. */
function referenceLiif(m: LIIF, feat: tf.Tensor4D, coord: tf.Tensor3D, cell: tf.Tensor3D): tf.Tensor {
  return tf.tidy(() => {
    const [b, h, w] = feat.shape;
    const f = unfold3x3(feat);
    const fc = tf.tile(tf.expandDims(makeCoord([h, w], { flatten: false }), 0), [b, 1, 1, 1]) as tf.Tensor4D;
    const preds: tf.Tensor[] = [];
    const areas: tf.Tensor[] = [];
    for (const vx of [-1, 1])
      for (const vy of [-1, 1]) {
        const c = tf.clipByValue(tf.add(coord, tf.tensor1d([vx / h + 1e-6, vy / w + 1e-6])), -1 + 1e-6, 1 - 1e-6) as tf.Tensor3D;
        const qf = gridSampleNearest(f, c);
        const qc = gridSampleNearest(fc, c);
        const rel = tf.mul(tf.sub(coord, qc), tf.tensor1d([h, w]));
        const relCell = tf.mul(cell, tf.tensor1d([h, w]));
        preds.push(m.imnet.forward(tf.concat([qf, rel, relCell], 2)));
        const [ry, rx] = tf.split(rel, 2, 2);
        areas.push(tf.add(tf.abs(tf.mul(ry, rx)), 1e-9));
      }
    const tot = tf.addN(areas);
    const swapped = [areas[3], areas[2], areas[1], areas[0]];
    return tf.addN(preds.map((p, i) => tf.mul(p, tf.div(swapped[i], tot))));
  });
}

function queries(h: number, w: number, b = 1): [tf.Tensor3D, tf.Tensor3D] {
  return tf.tidy(() => {
    const coord = tf.tile(tf.expandDims(makeCoord([h, w]), 0), [b, 1, 1]) as tf.Tensor3D;
    const cell = tf.tile(tf.expandDims(makeCell(h, w), 0), [b, 1, 1]) as tf.Tensor3D;
    return [coord, cell];
  });
}

describeBackends('implicit decoders', (backend) => {
  beforeAll(() => ensureGradients());
  const exact = backend === 'cpu' ? 0 : 1e-6;

  test('LIIF state-dict keys follow the official names', async () => {
    const m = new LIIF(new TinyEncoder());
    const sd = await m.stateDict();
    expect(Object.keys(sd)).toEqual([
      'encoder.conv.weight', 'encoder.conv.bias',
      ...[0, 2, 4, 6, 8].flatMap((i) => [`imnet.layers.${i}.weight`, `imnet.layers.${i}.bias`]),
    ]);
    expect(sd['imnet.layers.0.weight'].shape).toEqual([256, 8 * 9 + 4]);
    expect(sd['imnet.layers.8.weight'].shape).toEqual([3, 256]);
    m.dispose();
  });

  test('LTE state-dict keys follow the official names', async () => {
    const m = new LTE(new TinyEncoder());
    const keys = Object.keys(await m.stateDict());
    expect(keys).toEqual([
      'encoder.conv.weight', 'encoder.conv.bias', 'coef.weight', 'coef.bias', 'freq.weight', 'freq.bias', 'phase.weight',
      ...[0, 2, 4, 6].flatMap((i) => [`imnet.layers.${i}.weight`, `imnet.layers.${i}.bias`]),
    ]);
    m.dispose();
  });

  test('LIIF query equals the unfold + grid_sample formulation (batch 2, non-square)', async () => {
    const m = new LIIF(new TinyEncoder(), { hiddenList: [32, 32] });
    const inp = tf.randomUniform([2, 6, 9, 3], -1, 1) as tf.Tensor4D;
    const feat = m.genFeat(inp);
    const [coord, cell] = queries(13, 20, 2);
    const got = m.queryRgb(feat, coord, cell);
    const ref = referenceLiif(m, feat, coord, cell);
    expect(got.shape).toEqual([2, 260, 3]);
    expect(await maxAbsDiff(got, ref)).toBeLessThan(1e-5);
    tf.dispose([inp, feat, coord, cell, got, ref]);
    m.dispose();
  });

  test('decode 16×16 → 40×40 and 13×29; chunked equals one-shot; no leaks', async () => {
    const makers = [() => new LIIF(new TinyEncoder(), { hiddenList: [32, 32] }), () => new LTE(new TinyEncoder(), { hiddenDim: 32, hiddenList: [32, 32] })];
    for (const make of makers) {
      const m = make();
      const lr = tf.randomUniform([1, 16, 16, 3]) as tf.Tensor4D;
      for (const [H, W] of [[40, 40], [13, 29]]) {
        const one = m.upscale(lr, { height: H, width: W }, { chunkSize: 1 << 20 });
        const chunked = await expectNoLeak(() => m.upscale(lr, { height: H, width: W }, { chunkSize: 97 }), 1);
        expect(chunked.shape).toEqual([1, H, W, 3]);
        expect(await maxAbsDiff(one, chunked)).toBeLessThanOrEqual(exact);
        const v = (await chunked.data());
        expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...v)).toBeLessThanOrEqual(1);
        tf.dispose([one, chunked]);
      }
      // explicit queries, chunked vs one-shot, and the model's own forward
      const inp = tf.sub(tf.mul(lr, 2), 1) as tf.Tensor4D;
      const [coord, cell] = queries(13, 29);
      const f = m.genFeat(inp as tf.Tensor4D) as never;
      const a = m.decode(f, { coord, cell }, { chunkSize: 50 });
      const bq = (m.queryRgb as (f: never, c: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D)(f, coord, cell);
      const fw = m.forward(inp, coord, cell);
      expect(a.shape).toEqual([1, 13 * 29, 3]);
      expect(await maxAbsDiff(a, bq)).toBeLessThanOrEqual(exact);
      expect(await maxAbsDiff(fw, bq)).toBeLessThanOrEqual(exact);
      (m.disposeFeat as (f: never) => void)(f);
      tf.dispose([lr, inp, coord, cell, a, bq, fw]);
      m.dispose();
    }
  });

  test('LTE adds the bilinear (border) residual of its input and clips the cell beyond ×4', async () => {
    const m = new LTE(new TinyEncoder(), { hiddenList: [16] });
    // zero the last layer: the prediction is exactly the residual
    const last = m.imnet.layers.layers[2] as unknown as { weight: tf.Variable; bias: tf.Variable };
    last.weight.assign(tf.zerosLike(last.weight));
    last.bias.assign(tf.zerosLike(last.bias));
    const inp = tf.randomUniform([1, 5, 7, 3], -1, 1) as tf.Tensor4D;
    const [coord, cell] = queries(11, 16);
    const got = m.forward(inp, coord, cell);
    const ref = gridSampleBilinear(inp, coord, { paddingMode: 'border' });
    expect(await maxAbsDiff(got, ref)).toBeLessThan(1e-6);
    expect(m.cellScaleFor([16, 16], [40, 40])).toBe(1);
    expect(m.cellScaleFor([16, 16], [128, 128])).toBe(2);
    tf.dispose([inp, coord, cell, got, ref]);
    m.dispose();
  });

  test('LIIF ablations (no ensemble / no unfold / no cell) build and decode', async () => {
    const m = new LIIF(new TinyEncoder(), { localEnsemble: false, featUnfold: false, cellDecode: false, hiddenList: [16] });
    expect(m.imnet.inDim).toBe(8 + 2);
    const inp = tf.randomUniform([1, 4, 4, 3], -1, 1) as tf.Tensor4D;
    const [coord] = queries(7, 9);
    const out = m.forward(inp, coord);
    expect(out.shape).toEqual([1, 63, 3]);
    tf.dispose([inp, coord, out]);
    m.dispose();
  });

  test('gradients reach the encoder and the MLP', async () => {
    const m = new LIIF(new TinyEncoder(), { hiddenList: [16] });
    const inp = tf.randomUniform([1, 4, 5, 3], -1, 1) as tf.Tensor4D;
    const [coord, cell] = queries(8, 10);
    const { grads } = tf.variableGrads(() => tf.mean(m.forward(inp, coord, cell)) as tf.Scalar, m.trainableVariables());
    const names = m.namedParameters().map(([n]) => n);
    expect(Object.keys(grads).length).toBe(names.length);
    for (const g of Object.values(grads)) {
      const s = tf.sum(tf.abs(g));
      expect((await s.data())[0]).toBeGreaterThan(0);
      s.dispose();
    }
    tf.dispose([inp, coord, cell, ...Object.values(grads)]);
    m.dispose();
  });
}); // every backend, wasm included: GatherV2 and the gather gradient are custom kernels there
