import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliHostileFailures, hostileCliSuite, type CliExpectation } from '@sr/testkit';

// Hostile and careless command lines for `vspsr`, run through the bin launcher in a child process
// (see bundleCli): each fails at parse/validation time, before any model is loaded, with exit code 2,
// one line naming the command, no stack trace and a small peak RSS. Table: docs/guides/hostile-inputs-cli.md.

const suite = hostileCliSuite('vspsr', 'vspsr');

test('vspsr: usage errors are one line naming the command, exit 2, no stack, small RSS', async () => {
  const { cli, dir, input } = suite;
  const w = ['--weights', path.join(dir, 'w.pth')];
  const out = path.join(dir, 'out');
  const cases: [string, string[], CliExpectation][] = [
    ['-n 1e9', ['sample', input, '-o', out, '-n', '1e9', ...w], { message: /^vspsr: option '-n, --count <n>' argument '1e9' is invalid\. expected an integer ≥ 1 and ≤ 1000$/m }],
    ['--scale 3', ['sample', input, '-o', out, '--scale', '3', ...w], { message: /'--scale <n>' argument '3' is invalid\. expected 4 or 8/ }],
    ['--cem bicubic', ['sample', input, '-o', out, '--cem', 'bicubic', ...w], { message: /argument 'bicubic' is invalid\. expected 'matlab', 'opencv' or 'none'/ }],
    ['-t -1', ['sample', input, '-o', out, '-t', '-1', ...w], { message: /argument '-1' is invalid\. expected a number ≥ 0/ }],
    ['--seed 1.5', ['sample', input, '-o', out, '--seed', '1.5', ...w], { message: /argument '1\.5' is invalid\. expected an integer/ }],
    ['-o - with -n 2', ['sample', input, '-o', '-', '-n', '2', ...w], { message: /^vspsr: '-' \(stdout\) takes one image, but --count is 2/ }],
    ['-o is a file', ['sample', input, '-o', input, ...w], { message: /^vspsr: cannot write into .*in\.png: it is a file/ }],
    ['--bit-depth 12', ['sample', input, '-o', out, '--bit-depth', '12', ...w], { message: /argument '12' is invalid\. expected 8 or 16/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  expect(fs.existsSync(out)).toBe(false);
});
