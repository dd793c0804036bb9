import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSafetensors } from '@sr/core';
import { bundleCli, cliHostileFailures, type CliChild, type CliExpectation } from '@sr/testkit';

// Careless runs of `sr-ckpt`, through the bin launcher in a child process (see bundleCli): each gets
// one line naming the command, the right exit code, no stack trace and a small peak RSS, and `convert`
// refuses to overwrite its input or to write into a missing folder BEFORE reading the checkpoint.
// Malformed checkpoints themselves are the readers' suites. Table: docs/guides/hostile-inputs-cli.md.

let cli: CliChild;
let dir: string;
let ckpt: string;
beforeAll(async () => {
  cli = await bundleCli('core', 'sr-ckpt');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-ckpt-hostile-'));
  ckpt = path.join(dir, 'w.safetensors');
  fs.writeFileSync(ckpt, writeSafetensors({ a: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) } }));
});
afterAll(() => {
  cli?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sr-ckpt: usage errors are one line naming the command, exit 2; missing files exit 1', async () => {
  const before = fs.readFileSync(ckpt);
  const cases: [string, string[], CliExpectation][] = [
    ['convert onto its input', ['convert', ckpt, ckpt], { message: /^sr-ckpt: refusing to overwrite the input .*w\.safetensors .*--force/ }],
    ['convert into a missing folder', ['convert', ckpt, path.join(dir, 'no', 'o.safetensors')], { message: /^sr-ckpt: cannot write .*the folder .*no does not exist/ }],
    ['convert to .pth', ['convert', ckpt, path.join(dir, 'o.pth')], { message: /^sr-ckpt: the output must be a \.safetensors file/ }],
    ['convert to stdout', ['convert', ckpt, '-'], { message: /^sr-ckpt: convert writes a file/ }],
    ['unknown command', ['frobnicate'], { message: /^sr-ckpt: unknown command 'frobnicate'/ }],
    ['missing file', ['inspect', path.join(dir, 'nope.pth')], { status: 1, message: /^sr-ckpt: cannot read checkpoint file .*nope\.pth/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  expect(fs.readFileSync(ckpt).equals(before)).toBe(true);
  const forced = await cli.run(['convert', ckpt, ckpt, '--force']);
  expect(forced.status).toBe(0);
});
