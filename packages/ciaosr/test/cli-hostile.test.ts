import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng } from '@sr/core';
import { cliHostileFailures, hostileCliSuite, type CliExpectation } from '@sr/testkit';

// Hostile and careless command lines for `ciaosr`, run as a user runs them (the bin launcher in a child
// process, see bundleCli): each must fail fast at parse/validation time — before any model is loaded —
// with exit code 2 and ONE line on stderr that names the command, no stack trace, and a small peak RSS.
// The table of these cases is docs/guides/hostile-inputs-cli.md.

const suite = hostileCliSuite('ciaosr', 'ciaosr', { width: 8, height: 6 });
let big: string;
beforeAll(async () => {
  big = path.join(suite.dir, 'big.png'); // 300² real pixels (a few hundred bytes): ×64 would be 19200²
  fs.writeFileSync(big, await encodePng({ width: 300, height: 300, channels: 3, bitDepth: 8, data: new Uint8Array(300 * 300 * 3).fill(7) }));
});

const cases = (): [string, string[], CliExpectation][] => {
  const { dir, input } = suite;
  return [
    ['-s 2x3x4', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', '2x3x4'], { message: /^ciaosr: option '-s, --scale <s>' argument '2x3x4' is invalid\. expected a number > 1/ }],
    ['-s ""', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', ''], { message: /^ciaosr: option '-s, --scale <s>' argument '' is invalid/ }],
    ['-s 1e9', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', '1e9'], { message: /≤ 64/ }],
    ['-s 64 on 300²', ['upscale', big, '-o', path.join(dir, 'o.png'), '-s', '64'], { message: /^ciaosr: the output would be 19200×19200 \(368\.6 MP\); the limit is/ }],
    ['no --scale', ['upscale', input, '-o', path.join(dir, 'o.png')], { message: /^ciaosr: give --scale/ }],
    ['--width alone', ['upscale', input, '-o', path.join(dir, 'o.png'), '--width', '20'], { message: /^ciaosr: --width and --height go together/ }],
    ['--width abc', ['upscale', input, '-o', path.join(dir, 'o.png'), '--width', 'abc', '--height', '9'], { message: /argument 'abc' is invalid\. expected an integer/ }],
    ['--width 1000000', ['upscale', input, '-o', path.join(dir, 'o.png'), '--width', '1000000', '--height', '9'], { message: /≤ 32768/ }],
    ['--width/--height 30000²', ['upscale', input, '-o', path.join(dir, 'o.png'), '--width', '30000', '--height', '30000'], { message: /would be 30000×30000/ }],
    ['--tile abc', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', '2', '--tile', 'abc'], { message: /'--tile <n>' argument 'abc' is invalid/ }],
    ['--tile 0', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', '2', '--tile', '0'], { message: /≥ 4/ }],
    ['-o into a missing folder', ['upscale', input, '-o', path.join(dir, 'nope', 'o.png'), '-s', '2'], { message: /^ciaosr: cannot write .*o\.png: the folder .*nope does not exist/ }],
    ['-o = the input', ['upscale', input, '-o', input, '-s', '2'], { message: /^ciaosr: refusing to overwrite the input .*in\.png.*--force/ }],
    ['-o out.bmp', ['upscale', input, '-o', path.join(dir, 'o.bmp'), '-s', '2'], { message: /^ciaosr: cannot write .*o\.bmp': '\.bmp' is not an image format we write; use \.png, \.jpg, \.jpeg/ }],
    ['--backend nope', ['upscale', input, '-o', path.join(dir, 'o.png'), '-s', '2', '--backend', 'nope'], { message: /^ciaosr: option '--backend <name>' argument 'nope' is invalid\. expected one of auto, webgpu, webgl, wasm, cpu$/m }],
    ['no -o', ['upscale', input, '-s', '2'], { message: /^ciaosr: give -o\/--output/ }],
    ['unknown option', ['upscale', input, '--sclae', '2'], { message: /^ciaosr: unknown option '--sclae' \(Did you mean --scale\?\)/ }],
    ['train --steps abc', ['train', '--data', dir, '--steps', 'abc', '--out', path.join(dir, 'c.safetensors')], { message: /'--steps <n>' argument 'abc' is invalid/ }],
    ['train --hidden a,b', ['train', '--data', dir, '--steps', '1', '--out', path.join(dir, 'c.safetensors'), '--hidden', 'a,b'], { message: /'--hidden <list>' argument 'a,b' is invalid\. expected a comma-separated list/ }],
    ['train --batch 0', ['train', '--data', dir, '--steps', '1', '--out', path.join(dir, 'c.safetensors'), '--batch', '0'], { message: /argument '0' is invalid\. expected an integer ≥ 1/ }],
    ['train --lr -1', ['train', '--data', dir, '--steps', '1', '--out', path.join(dir, 'c.safetensors'), '--lr', '-1'], { message: /argument '-1' is invalid\. expected a number > 0/ }],
  ];
};

test('ciaosr: usage errors are one line naming the command, exit 2, no stack, small RSS', async () => {
  expect(await cliHostileFailures(suite.cli, cases())).toEqual([]);
  expect(fs.existsSync(path.join(suite.dir, 'o.png'))).toBe(false); // nothing was written
});
