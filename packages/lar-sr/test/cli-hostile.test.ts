import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliHostileFailures, hostileCliSuite, type CliExpectation } from '@sr/testkit';

// Hostile and careless command lines for `lar-sr`, run through the bin launcher in a child process
// (see bundleCli): each fails at parse/validation time, before any model is loaded, with exit code 2,
// one line naming the command, no stack trace and a small peak RSS. Table: docs/guides/hostile-inputs-cli.md.

const suite = hostileCliSuite('lar-sr', 'lar-sr');

test('lar-sr: usage errors are one line naming the command, exit 2, no stack, small RSS', async () => {
  const { cli, dir, input } = suite;
  const w = ['--vqvae', path.join(dir, 'vq.pth'), '--lar', path.join(dir, 'lar.pth')];
  const out = () => path.join(dir, 'out');
  const cases: [string, string[], CliExpectation][] = [
    ['--count 1e9', ['sample', input, '-o', out(), '--count', '1e9', ...w], { message: /^lar-sr: option '--count <n>' argument '1e9' is invalid\. expected an integer ≥ 1 and ≤ 1000$/m }],
    ['--count 0', ['sample', input, '-o', out(), '--count', '0', ...w], { message: /argument '0' is invalid/ }],
    ['--count 2.5', ['sample', input, '-o', out(), '--count', '2.5', ...w], { message: /argument '2\.5' is invalid/ }],
    ['--argmax-prob 2', ['sample', input, '-o', out(), '--argmax-prob', '2', ...w], { message: /'--argmax-prob <p>' argument '2' is invalid\. expected a number ≥ 0 and ≤ 1/ }],
    ['--temperature 0', ['sample', input, '-o', out(), '--temperature', '0', ...w], { message: /expected a number > 0/ }],
    ['--temperature NaN', ['sample', input, '-o', out(), '--temperature', 'NaN', ...w], { message: /argument 'NaN' is invalid/ }],
    ['--top-k 0', ['sample', input, '-o', out(), '--top-k', '0', ...w], { message: /'--top-k <k>' argument '0' is invalid/ }],
    ['-o - with --count 2', ['sample', input, '-o', '-', '--count', '2', ...w], { message: /^lar-sr: '-' \(stdout\) takes one image, but --count is 2/ }],
    ['-o is a file', ['sample', input, '-o', input, ...w], { message: /^lar-sr: cannot write into .*in\.png: it is a file, not a folder/ }],
    ['no weights', ['sample', input, '-o', out()], { message: /^lar-sr: need the VQ-VAE and LAR checkpoints/ }],
    ['unknown option', ['sample', input, '-o', out(), '--cuont', '2', ...w], { message: /^lar-sr: unknown option '--cuont' \(Did you mean --count\?\)/ }],
    ['missing input', ['sample', '-o', out()], { message: /^lar-sr: missing required argument 'input'/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  expect(fs.existsSync(out())).toBe(false); // nothing was created by a refused run
});
