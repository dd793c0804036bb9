import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePng } from '@sr/core';
import { bundleCli, cliHostileFailures, sharedRoot, type CliChild, type CliExpectation } from '@sr/testkit';

// Careless and hostile runs of `sr-metrics`, through the bin launcher in a child process (see
// bundleCli): mismatched sets, images of the wrong size, unreadable files and impossible scales get a
// message naming the file, exit code 2 (usage) or 1 (data), no stack trace and a small peak RSS; nothing
// is silently skipped. Table: docs/guides/hostile-inputs-cli.md.

let cli: CliChild;
let dir: string;
const png = (w: number, h: number, v = 90) => encodePng({ width: w, height: h, channels: 3, bitDepth: 8, data: new Uint8Array(w * h * 3).fill(v) });
const mk = async (rel: string, bytes: Uint8Array | string) => {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, bytes);
};
beforeAll(async () => {
  cli = await bundleCli('metrics', 'sr-metrics');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-metrics-hostile-'));
  for (const set of ['extra', 'size', 'corrupt', 'ok']) await mk(`${set}/gt/a.png`, await png(48, 48));
  await mk('extra/sr/a.png', await png(48, 48, 80));
  await mk('extra/sr/zz-extra.png', await png(48, 48, 80)); // no GT: was silently ignored
  await mk('size/sr/a.png', await png(40, 48, 80));
  await mk('corrupt/gt/b.png', await png(48, 48));
  await mk('corrupt/sr/a.png', await png(48, 48, 80));
  await mk('corrupt/sr/b.png', 'not a png at all');
  await mk('ok/sr/a.png', await png(48, 48, 80));
  await mk('ok/samples/a/s0.png', await png(48, 48, 80));
  await mk('ok/samples/a/s1.png', await png(24, 24, 80)); // a sample of the wrong size
});
afterAll(() => {
  cli?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sr-metrics: mismatched sets, bad files and impossible scales are clear errors', async () => {
  const d = (s: string) => path.join(dir, s);
  const set = (s: string) => ['--gt', d(`${s}/gt`), '--sr', d(`${s}/sr`), '--backend', 'cpu', '-q'];
  const w = path.join(sharedRoot(), 'weights');
  const lp = ['--lpips-weights', path.join(w, 'torchvision/alexnet-features.pth'), '--lpips-lin', path.join(w, 'lpips/v0.1/alex.pth')];
  // The two LPIPS cases run on the CPU backend, where tfjs prints its multi-line "install tfjs-node"
  // banner once: their error is the last line rather than the only one.
  const cases: [string, string[], CliExpectation][] = [
    ['extra SR file', set('extra'), { status: 1, message: /^sr-metrics: the sets do not match .*SR file\(s\) without a GT image: zz-extra\.png; pass --allow-unpaired/ }],
    ['SR of the wrong size', set('size'), { status: 1, message: /^sr-metrics: .*size\/sr\/a\.png: is 40×48 but its GT .*a\.png is 48×48$/m }],
    ['unreadable SR file', set('corrupt'), { status: 1, message: /^sr-metrics: .*corrupt\/sr\/b\.png: .*unsupported image format/ }],
    ['--keep-going', [...set('corrupt'), '--keep-going'], { status: 1, oneLine: false, message: /corrupt\/sr\/b\.png: .*\(skipped: --keep-going\)\nsr-metrics: 1 of 2 image\(s\) failed/ }],
    ['--scale 1000', [...set('ok'), '--scale', '1000'], { message: /^sr-metrics: option '--scale <n>' argument '1000' is invalid\. expected an integer ≥ 1 and ≤ 64$/m }],
    ['--scale 16 on 48²', ['--gt', d('ok/gt'), '--samples', d('ok/samples'), '--scale', '16', ...lp, '--backend', 'cpu', '-q'], { status: 1, message: /^sr-metrics: .*48×48 at --scale 16 gives an LR image under 4 px a side/m, oneLine: false, rssMiB: 400 }],
    ['sample of the wrong size', ['--gt', d('ok/gt'), '--samples', d('ok/samples'), '--scale', '4', ...lp, '--backend', 'cpu', '-q'], { status: 1, message: /^sr-metrics: .*samples\/a\/s1\.png: sample is 24×24 but its GT .*is 48×48/m, oneLine: false, rssMiB: 400 }],
    ['--crop 24 on 48²', [...set('ok'), '--crop', '24'], { status: 1, message: /a\.png: --crop 24 leaves nothing of a 48×48 image/ }],
    ['--json in a missing folder', [...set('ok'), '--json', d('no/r.json')], { message: /^sr-metrics: cannot write .*r\.json: the folder .*no does not exist/ }],
    ['--lpips foo', [...set('ok'), '--lpips', 'foo'], { message: /argument 'foo' is invalid\. expected one of alex, squeeze, vgg/ }],
  ];
  expect(await cliHostileFailures(cli, cases)).toEqual([]);
  // --allow-unpaired turns the extra file into a warning; the pair is measured.
  const r = await cli.run([...set('extra'), '--allow-unpaired']);
  expect([r.status, r.stderr.trim()]).toEqual([0, `warning: zz-extra.png: SR file without a GT image, skipped`]);
  expect(r.stdout).toMatch(/a\.png\s+\d+\.\d+/);
});
