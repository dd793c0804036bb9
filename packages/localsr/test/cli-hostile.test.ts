import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliHostileFailures, hostileCliSuite, type CliExpectation } from '@sr/testkit';

// Hostile and careless command lines for `localsr`, run through the bin launcher in a child process
// (see bundleCli): each fails at parse/validation time, before any model is built, with exit code 2,
// one line naming the command, no stack trace and a small peak RSS. Table: docs/guides/hostile-inputs-cli.md.

const suite = hostileCliSuite('localsr', 'localsr', { width: 16, height: 12 });

test('localsr: usage errors are one line naming the command, exit 2, no stack, small RSS', async () => {
  const { cli, dir, input } = suite;
  const o = path.join(dir, 'o.png');
  const roi = ['--roi', '2,2,4,4'];
  const cases: [string, string[], CliExpectation][] = [
    ['--roi 1,2,3', ['upscale', input, '--roi', '1,2,3', '-o', o], { message: /^localsr: option '--roi <x,y,w,h>' argument '1,2,3' is invalid\. expected x,y,width,height/ }],
    ['--roi 0,0,0,5', ['upscale', input, '--roi', '0,0,0,5', '-o', o], { message: /width and height ≥ 1/ }],
    ['--roi 1e3,0,2,2', ['upscale', input, '--roi', '1e3,0,2,2', '-o', o], { message: /argument '1e3,0,2,2' is invalid/ }],
    ['--padding -1', ['upscale', input, ...roi, '-o', o, '--padding', '-1'], { message: /'--padding <n>' argument '-1' is invalid\. expected an integer ≥ 0 and ≤ 256/ }],
    ['--backbone vgg', ['upscale', input, ...roi, '-o', o, '--backbone', 'vgg'], { message: /argument 'vgg' is invalid\. expected one of edsr, rrdb/ }],
    ['--baseline foo', ['upscale', input, ...roi, '-o', o, '--baseline', 'foo'], { message: /expected one of pre-crop, post-crop/ }],
    ['-o in a missing folder', ['upscale', input, ...roi, '-o', path.join(dir, 'no', 'o.png')], { message: /^localsr: cannot write .*the folder .*no does not exist/ }],
    ['-o = the input', ['upscale', input, ...roi, '-o', input], { message: /^localsr: refusing to overwrite the input/ }],
    ['-o out.tiff', ['upscale', input, ...roi, '-o', path.join(dir, 'o.tiff')], { message: /'\.tiff' is not an image format we write/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  expect(fs.readdirSync(dir)).toEqual(['in.png']);
});
