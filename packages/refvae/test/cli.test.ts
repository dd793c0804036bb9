import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodePng, encodePng, toFloat32 } from '@sr/core';
import { openCase, requireGoldenDir } from '@sr/testkit';
import { main, sampleName } from '../src/cli/refvae.js';

// The CLI end to end on the fixture weights (random VGG), on WASM (a 256² VGG pass per noise sample).
const dir = requireGoldenDir('refvae_x8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'refvae-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function writeLrPng(): Promise<string> {
  const lr = openCase('refvae_x8').npy('lr'); // 1×3×8×8 in [0,1]
  const [, c, h, w] = lr.shape;
  const v = toFloat32(lr);
  const data = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * 3 + k] = Math.round(v[(k * h + y) * w + x] * 255);
  const file = path.join(tmp, 'lr.png');
  fs.writeFileSync(file, await encodePng({ width: w, height: h, channels: 3, bitDepth: 8, data }));
  return file;
}

test('sampleName', () => {
  expect(sampleName('out.png', 0, 1)).toBe('out.png');
  expect(sampleName('dir/out.png', 2, 4)).toBe('dir/out_2.png');
  expect(sampleName('s{i}.png', 3, 4)).toBe('s3.png');
});

test('refvae upscale writes --count PNGs at ×8; missing weights exit 2', async () => {
  const lr = await writeLrPng();
  const out = path.join(tmp, 'sr.png');
  const common = ['--encoder', path.join(dir, 'weights_enc.pth.gz'), '--vae', path.join(dir, 'weights_vae.pth.gz'), '--backend', 'wasm', '-q'];
  expect(await main(['upscale', lr, '-o', out, '--reference', 'noise', '--count', '2', '--seed', '1', ...common])).toBe(0);
  for (const f of ['sr_0.png', 'sr_1.png']) {
    const img = await decodePng(new Uint8Array(fs.readFileSync(path.join(tmp, f))));
    expect([img.width, img.height, img.channels]).toEqual([64, 64, 3]);
  }
  const a = fs.readFileSync(path.join(tmp, 'sr_0.png'));
  const b = fs.readFileSync(path.join(tmp, 'sr_1.png'));
  expect(Buffer.compare(a, b)).not.toBe(0);
  expect(await main(['upscale', lr, '-o', out, '--reference', 'self', ...common])).toBe(0);
  const errors: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (errors.push(String(s)), true));
  try {
    expect(await main(['upscale', lr, '-o', out, '--weights-dir', tmp, '-q'])).toBe(2);
  } finally {
    spy.mockRestore();
  }
  expect(errors.join('')).toMatch(/vgg_r41\.pth/);
  expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
});
