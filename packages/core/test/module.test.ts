import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, Module, PReLU, Sequential, StateDictMismatchError, expectNoLeak, type StateDict } from '@sr/core';
import { describeBackends, maxAbsDiff } from '@sr/testkit';

class Tiny extends Module {
  readonly conv = this.child('conv', new Conv2d(2, 3, 3, { padding: 1 }));
  readonly act = this.child('act', new PReLU());
  readonly head = this.child('head', new Sequential([new Linear(3, 4)]));
}

describeBackends('Module', () => {
  test('state dict keys and PyTorch shapes', async () => {
    const m = new Tiny();
    const sd = await m.stateDict();
    expect(Object.keys(sd)).toEqual(['conv.weight', 'conv.bias', 'act.weight', 'head.0.weight', 'head.0.bias']);
    expect(sd['conv.weight'].shape).toEqual([3, 2, 3, 3]);
    expect(sd['head.0.weight'].shape).toEqual([4, 3]);
    m.dispose();
  });

  test('loadStateDict round trip and layout conversion', async () => {
    const a = new Tiny();
    const b = new Tiny();
    b.loadStateDict(await a.stateDict());
    const x = tf.randomNormal([1, 5, 5, 2]);
    const ya = a.conv.forward(x);
    const yb = b.conv.forward(x);
    expect(await maxAbsDiff(ya, yb)).toBe(0);
    // conv weight in PyTorch OIHW: out 0, in 1, ky 0, kx 2 -> tfjs [0,2,1,0]
    const sd = await a.stateDict();
    const w = (await a.conv.weight.array()) as number[][][][];
    expect(sd['conv.weight'].data[0 * 18 + 1 * 9 + 0 * 3 + 2]).toBe(w[0][2][1][0]);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });

  test('mismatch names keys', async () => {
    const m = new Tiny();
    const sd: StateDict = await m.stateDict();
    delete sd['conv.bias'];
    sd['extra.weight'] = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
    sd['head.0.weight'] = { dtype: 'float32', shape: [4, 2], data: new Float32Array(8) };
    expect(() => m.loadStateDict(sd)).toThrow(StateDictMismatchError);
    expect(() => m.loadStateDict(sd)).toThrow(/missing keys: conv\.bias.*unexpected keys: extra\.weight.*head\.0\.weight expected \[4,3\] got \[4,2\]/);
    const r = m.loadStateDict(sd, { strict: false });
    expect(r.missing).toEqual(['conv.bias']);
    m.dispose();
  });

  test('no leaks in forward', async () => {
    const m = new Tiny();
    const x = tf.randomNormal([1, 4, 4, 2]);
    await expectNoLeak(() => m.conv.forward(x).dispose());
    x.dispose();
    m.dispose();
  });

  test('grouped and depthwise conv match per-group convolution', async () => {
    const g = new Conv2d(4, 4, 3, { padding: 1, groups: 2 });
    const d = new Conv2d(4, 4, 3, { padding: 1, groups: 4 });
    const x = tf.randomNormal([1, 6, 6, 4]);
    const yg = g.forward(x);
    const gsd = await g.stateDict();
    const ref = tf.concat([0, 1].map((i) => {
      const c = new Conv2d(2, 2, 3, { padding: 1 });
      const sd = gsd;
      c.loadStateDict({
        weight: { dtype: 'float32', shape: [2, 2, 3, 3], data: (sd.weight.data as Float32Array).slice(i * 36, i * 36 + 36) },
        bias: { dtype: 'float32', shape: [2], data: (sd.bias.data as Float32Array).slice(i * 2, i * 2 + 2) },
      });
      const y = c.forward(tf.slice(x, [0, 0, 0, 2 * i], [1, 6, 6, 2]));
      c.dispose();
      return y;
    }), 3);
    expect(await maxAbsDiff(yg, ref)).toBeLessThan(1e-5);
    expect(d.forward(x).shape).toEqual([1, 6, 6, 4]);
    tf.dispose([x, yg, ref]);
    g.dispose();
    d.dispose();
  });
});
