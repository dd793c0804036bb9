import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliHostileFailures, hostileCliSuite, type CliExpectation } from '@sr/testkit';

// Hostile and careless command lines for `refvae`, run through the bin launcher in a child process
// (see bundleCli): each fails at parse/validation time, before any model is loaded, with exit code 2,
// one line naming the command, no stack trace and a small peak RSS. Table: docs/guides/hostile-inputs-cli.md.

const suite = hostileCliSuite('refvae', 'refvae');

test('refvae: usage errors are one line naming the command, exit 2, no stack, small RSS', async () => {
  const { cli, dir, input } = suite;
  const w = ['--weights-dir', dir];
  const cases: [string, string[], CliExpectation][] = [
    ['-o - -n 2', ['upscale', input, '-o', '-', '-n', '2', ...w], { message: /^refvae: '-' \(stdout\) takes one image, but --count is 2/ }],
    ['--scale 5', ['upscale', input, '-o', path.join(dir, 'o.png'), '--scale', '5', ...w], { message: /'--scale <s>' argument '5' is invalid\. expected 4 or 8/ }],
    ['-n 0', ['upscale', input, '-o', path.join(dir, 'o.png'), '-n', '0', ...w], { message: /argument '0' is invalid\. expected an integer ≥ 1 and ≤ 1000/ }],
    ['-n 1e9', ['upscale', input, '-o', path.join(dir, 'o.png'), '-n', '1e9', ...w], { message: /argument '1e9' is invalid/ }],
    ['-o out.gif', ['upscale', input, '-o', path.join(dir, 'o.gif'), ...w], { message: /^refvae: cannot write .*o\.gif': '\.gif' is not an image format we write/ }],
    ['-o in a missing folder', ['upscale', input, '-o', path.join(dir, 'no', 'o.png'), ...w], { message: /^refvae: cannot write .*o\.png: the folder .*no does not exist/ }],
    ['-o = the input', ['upscale', input, '-o', input, ...w], { message: /^refvae: refusing to overwrite the input .*in\.png .*--force/ }],
    ['-o = the reference', ['upscale', input, '-o', input, '-r', input, ...w], { message: /refusing to overwrite the input/ }],
    ['missing weights', ['upscale', input, '-o', path.join(dir, 'o.png'), ...w], { message: /^refvae: missing VGG encoder .*vgg_r41\.pth/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  expect(fs.readdirSync(dir)).toEqual(['in.png']); // nothing was written
});
