import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  CliArgumentError,
  CliUsageError,
  cliAddAlpha,
  cliCheckImageOutputs,
  cliCheckOutputFile,
  cliCheckOutputSize,
  cliCheckStdoutCount,
  cliConfigure,
  cliImageFormat,
  cliImageWriterOptions,
  cliInteger,
  cliIntegerIn,
  cliIntegerList,
  cliNumber,
  cliNumberIn,
  cliProgress,
  cliResultToImage,
  cliRun,
  cliScale,
  type CliImageWriterValues,
  type ImageArray,
} from '@sr/core';

describe('strict CLI parsers', () => {
  test('numbers: the whole string, finite, no prefix acceptance', () => {
    expect(cliNumber('1e-4')).toBe(1e-4);
    expect(cliNumber(' 2.5 ')).toBe(2.5);
    for (const v of ['', ' ', 'NaN', 'Infinity', '-Infinity', '2x', '0x10', '1_0', '2,5', 'abc']) expect(() => cliNumber(v)).toThrow(CliArgumentError);
    expect(cliInteger('-3')).toBe(-3);
    for (const v of ['1.5', '1e400', '9007199254740993', 'x', '']) expect(() => cliInteger(v)).toThrow(CliArgumentError);
  });

  test('ranges', () => {
    const lr = cliNumberIn({ above: 0 });
    expect(lr('1e-4')).toBe(1e-4);
    for (const v of ['0', '-1']) expect(() => lr(v)).toThrow(/expected a number > 0/);
    const p = cliNumberIn({ min: 0, max: 1 });
    expect(() => p('2')).toThrow(/≥ 0 and ≤ 1/);
    const count = cliIntegerIn({ min: 1, max: 1000 });
    expect(count('10')).toBe(10);
    for (const v of ['0', '1e9', '2.5', 'ten']) expect(() => count(v)).toThrow(/an integer ≥ 1 and ≤ 1000/);
    const hidden = cliIntegerList({ min: 1, max: 4096 });
    expect(hidden('256,128')).toEqual([256, 128]);
    for (const v of ['a,b', '256,', '', '0']) expect(() => hidden(v)).toThrow(CliArgumentError);
  });

  test('scale: s or SYxSX, each > 1 and ≤ 64', () => {
    expect(cliScale('3.7')).toBe(3.7);
    expect(cliScale('2x3')).toEqual([2, 3]);
    expect(cliScale('2X3')).toEqual([2, 3]);
    for (const v of ['2x3x4', '', 'x2', '2x', '1', '0.5', '-2', '1e9', '65', 'NaN', 'abc']) expect(() => cliScale(v)).toThrow(CliArgumentError);
  });
});

describe('output checks', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-cli-out-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('format from the extension', () => {
    expect(cliImageFormat('a.PNG')).toBe('png');
    expect(cliImageFormat('a.jpg')).toBe('jpeg');
    expect(cliImageFormat('a.jpeg')).toBe('jpeg');
    expect(cliImageFormat('-')).toBe('png');
    for (const f of ['a.bmp', 'a', 'dir.png/a']) expect(() => cliImageFormat(f)).toThrow(CliUsageError);
  });

  test('missing folder, folder as file, input overwrite, stdout count, size', async () => {
    const input = path.join(tmp, 'in.png');
    fs.writeFileSync(input, 'x');
    await expect(cliCheckOutputFile(path.join(tmp, 'nope', 'o.png'), { image: true })).rejects.toThrow(/folder .*nope does not exist/);
    await expect(cliCheckOutputFile(tmp, {})).rejects.toThrow(/is a folder/);
    await expect(cliCheckOutputFile(input, { inputs: [input], image: true })).rejects.toThrow(/refusing to overwrite the input .*--force/);
    await expect(cliCheckOutputFile(path.join(tmp, '.', 'in.png'), { inputs: ['-', input] })).rejects.toThrow(CliUsageError);
    await cliCheckOutputFile(input, { inputs: [input], force: true, image: true });
    await cliCheckOutputFile(path.join(tmp, 'new.jpg'), { inputs: [input], image: true });
    await cliCheckOutputFile('-', { image: true });
    expect(() => cliCheckStdoutCount('-', 2, '-n')).toThrow(/'-' \(stdout\) takes one image, but -n is 2/);
    cliCheckStdoutCount('-', 1);
    cliCheckOutputSize(8192, 8192);
    expect(() => cliCheckOutputSize(65536, 65536)).toThrow(/would be 65536×65536 \(4295.0 MP\)/);
    expect(() => cliCheckOutputSize(40000, 10)).toThrow(CliUsageError);
  });
});

test('cliAddAlpha keeps the input alpha (resized, at the output bit depth, of a region)', () => {
  const input: ImageArray = { width: 2, height: 1, channels: 4, bitDepth: 8, data: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 0]) };
  const out: ImageArray = { width: 4, height: 2, channels: 3, bitDepth: 16, data: new Uint16Array(4 * 2 * 3).fill(7) };
  const merged = cliAddAlpha(out, input);
  expect(merged.channels).toBe(4);
  expect(merged.bitDepth).toBe(16);
  const alpha = Array.from({ length: 8 }, (_, i) => merged.data[i * 4 + 3]!);
  expect(alpha[0]).toBe(65535); // left column stays opaque …
  expect(alpha[3]).toBe(0); // … right column transparent
  expect(merged.data[0]).toBe(7);
  const region = cliAddAlpha({ width: 1, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([9, 9, 9]) }, input, { x: 1, y: 0, width: 1, height: 1 });
  expect(Array.from(region.data)).toEqual([9, 9, 9, 0]);
  const rgb: ImageArray = { width: 1, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([1, 2, 3]) };
  expect(cliAddAlpha(out, rgb)).toBe(out);
});

test('cliResultToImage: the input bit depth by default, --bit-depth overrides, alpha added', async () => {
  const input: ImageArray = { width: 1, height: 1, channels: 4, bitDepth: 16, data: Uint16Array.from([1, 2, 3, 65535]) };
  const asked: number[] = [];
  const result = {
    toImageArray: async (bd: 8 | 16 = 8): Promise<ImageArray> => {
      asked.push(bd);
      return { width: 2, height: 2, channels: 3, bitDepth: bd, data: bd === 16 ? new Uint16Array(12) : new Uint8Array(12) };
    },
  };
  const img16 = await cliResultToImage(result, input);
  expect([img16.bitDepth, img16.channels, img16.data[3]]).toEqual([16, 4, 65535]);
  const img8 = await cliResultToImage(result, input, { bitDepth: 8 });
  expect([img8.bitDepth, img8.channels, img8.data[3]]).toEqual([8, 4, 255]);
  expect(asked).toEqual([16, 8]);
});

test('progress without a TTY: plain lines, at most one per 5 %', () => {
  const lines: string[] = [];
  const p = cliProgress({ name: 'x', what: 'steps', tty: false, write: (l) => lines.push(l) });
  p.start(100);
  for (let i = 1; i <= 100; i++) p.update(i);
  p.stop();
  expect(lines.length).toBe(21); // the first step, then every 5 %
  expect(lines[20]).toBe('x: steps 100/100 (100 %)');
  const q: string[] = [];
  const quiet = cliProgress({ name: 'x', what: 's', quiet: true, write: (l) => q.push(l) });
  quiet.start(2);
  quiet.update(1);
  expect(q).toEqual([]);
});

test('cliConfigure + cliRun: one line naming the program, exit 2 for usage errors, --debug', async () => {
  const err: string[] = [];
  const make = (action: () => void) => {
    const p = cliConfigure(new Command('t'), 't', { writeErr: (s) => err.push(s), writeOut: () => {} });
    p.command('go').option('--n <n>', 'n', cliIntegerIn({ min: 1, max: 9 }), 1).option('--scale <s>', 's', cliScale).action(action);
    return p;
  };
  const log = (l: string) => err.push(`${l}\n`);
  expect(await cliRun(make(() => {}), ['go', '--n', '3'], { name: 't', log })).toBe(0);
  for (const argv of [['go', '--n', '10'], ['go', '--scale', '2x3x4'], ['go', '--nope'], ['go', '--n']]) {
    err.length = 0;
    expect(await cliRun(make(() => {}), argv, { name: 't', log })).toBe(2);
    expect(err.join('')).toMatch(/^t: [^\n]+\n$/);
  }
  err.length = 0;
  expect(await cliRun(make(() => { throw new CliUsageError('bad -o'); }), ['go'], { name: 't', log })).toBe(2);
  expect(err.join('')).toBe('t: bad -o\n');
  err.length = 0;
  expect(await cliRun(make(() => { throw new TypeError('x is undefined'); }), ['go'], { name: 't', log })).toBe(1);
  expect(err.join('')).toBe('t: x is undefined (unexpected error; run again with --debug for the stack trace)\n');
  err.length = 0;
  expect(await cliRun(make(() => { throw new TypeError('x is undefined'); }), ['go', '--debug'], { name: 't', log })).toBe(1);
  expect(err.join('')).toMatch(/^t: x is undefined\nTypeError: x is undefined\n\s+at /);
});

describe('shared options and pre-flight of image-writing commands', () => {
  test('cliImageWriterOptions adds --bit-depth, --force, --backend (auto) and -q with the shared parsers', async () => {
    const seen: Record<string, unknown>[] = [];
    const make = (backendFlags?: string) => {
      const program = cliConfigure(new Command('t'), 't', { writeErr: () => {} });
      cliImageWriterOptions(program.command('run'), backendFlags ? { backendFlags } : {}).action((o: CliImageWriterValues) => void seen.push({ ...o }));
      return program;
    };
    expect(await cliRun(make(), ['run'], { name: 't', log: () => {} })).toBe(0);
    expect(seen.pop()).toEqual({ backend: 'auto' });
    expect(await cliRun(make('-b, --backend <name>'), ['run', '--bit-depth', '16', '--force', '-b', 'wasm', '-q'], { name: 't', log: () => {} })).toBe(0);
    expect(seen.pop()).toEqual({ bitDepth: 16, force: true, backend: 'wasm', quiet: true });
    for (const bad of [['--bit-depth', '12'], ['--backend', 'gpu']]) expect(await cliRun(make(), ['run', ...bad], { name: 't', log: () => {} })).toBe(2);
  });

  test('cliCheckImageOutputs: one image on stdout, the folder created, every file checked before any work', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-cli-outputs-'));
    try {
      const input = path.join(dir, 'in.png');
      fs.writeFileSync(input, '');
      await expect(cliCheckImageOutputs('-', ['-', '-'], {})).rejects.toThrow(/'-' \(stdout\) takes one image, but --count is 2/);
      await cliCheckImageOutputs('-', ['-']);
      const out = path.join(dir, 'samples');
      await cliCheckImageOutputs(out, [path.join(out, 'a.png'), path.join(out, 'b.png')], { folder: true });
      expect(fs.statSync(out).isDirectory()).toBe(true);
      await expect(cliCheckImageOutputs(dir, [path.join(dir, 'c.png'), input], { inputs: [input], folder: true })).rejects.toThrow(/refusing to overwrite the input/);
      await cliCheckImageOutputs(dir, [input], { inputs: [input], force: true });
      await expect(cliCheckImageOutputs(dir, [path.join(dir, 'x.bmp')])).rejects.toThrow(CliUsageError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
