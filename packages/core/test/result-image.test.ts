/** `ResultImage` (the shared result class) and the `cli*` helpers. */
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { CliArgumentError, InputError, ResultImage, cliInteger, cliNumber, cliRun, decodeImage, tensorToImageAsync } from '@sr/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ResultImage', () => {
  test('3-D and 4-D tensors: size, conversions as tensor2img, clone ownership, dispose', async () => {
    const before = tf.memory().numTensors;
    const vals = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => (i - 2) / 19);
    for (const t of [tf.tensor3d(vals, [2, 3, 4]), tf.tensor4d(vals, [1, 2, 3, 4])]) {
      const img = new ResultImage(t, { disposedMessage: 'gone' });
      expect([img.width, img.height, img.channels, img.isDisposed]).toEqual([3, 2, 4, false]);
      const arr = await img.toImageArray();
      expect(arr).toEqual(await tensorToImageAsync(t));
      expect((await img.toImageArray(16)).bitDepth).toBe(16);
      const id = await img.toImageData();
      expect(Array.from(id.data)).toEqual(Array.from(arr.data));
      const back = await decodeImage(await img.toPNG());
      expect(Array.from(back.data)).toEqual(Array.from(arr.data));
      const c = img.toTensor();
      expect(c.shape).toEqual(t.shape);
      c.dispose();
      img.dispose();
      img.dispose();
      expect(img.isDisposed).toBe(true);
      expect(() => img.width).toThrow('gone');
      await expect(img.toPNG()).rejects.toThrow('gone');
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('RGB gets opaque alpha in ImageData; NaN is an InputError', async () => {
    const img = new ResultImage(tf.tensor3d([0, 0.5, 1], [1, 1, 3]));
    expect(Array.from((await img.toImageData()).data)).toEqual([0, 128, 255, 255]);
    img.dispose();
    const bad = new ResultImage(tf.tensor3d([0, NaN, 1], [1, 1, 3]));
    await expect(bad.toImageArray()).rejects.toThrow(InputError);
    bad.dispose();
  });
});

describe('cli helpers', () => {
  test('cliInteger / cliNumber', () => {
    expect(cliInteger('12')).toBe(12);
    expect(cliNumber('1e-4')).toBe(1e-4);
    for (const v of ['1.5', 'x', '']) expect(() => cliInteger(v)).toThrow(CliArgumentError);
    for (const v of ['NaN', 'Infinity', 'x', '']) expect(() => cliNumber(v)).toThrow(CliArgumentError);
  });

  test('cliRun exit codes: success 0, bad option value 2 (usage error), action errors 1 or their exitCode', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (errors.push(String(s)), true));
    try {
      const program = (action: () => void) => {
        const p = new Command('t').exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s) });
        p.command('go').option('--n <n>', 'n', cliInteger, 1).action(action);
        return p;
      };
      expect(await cliRun(program(() => {}), ['go', '--n', '3'], { name: 't' })).toBe(0);
      expect(await cliRun(program(() => {}), ['go', '--n', 'x'], { name: 't' })).toBe(2);
      expect(errors.join('')).toMatch(/argument 'x' is invalid. expected an integer/);
      expect(await cliRun(program(() => { throw new InputError('bad', 'E_X'); }), ['go'], { name: 't', showErrorCode: true })).toBe(1);
      expect(errors.join('')).toMatch(/t: bad \[E_X\]/);
      const coded = Object.assign(new Error('weights missing'), { code: 'E_WEIGHTS', exitCode: 2 });
      expect(await cliRun(program(() => { throw coded; }), ['go'], { name: 't' })).toBe(2);
      expect(errors.join('')).toMatch(/t: weights missing/);
    } finally {
      spy.mockRestore();
    }
  });
});
