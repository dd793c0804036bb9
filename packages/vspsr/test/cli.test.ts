import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readImage, writeImage } from '@sr/core';
import { goldenRoot } from '@sr/testkit';
import { main } from '../src/cli/vspsr.js';

test('vspsr sample writes count PNGs at scale× size, keeping RGBA 16-bit; bad input gives exit code 1', async () => {
  const weights = path.join(goldenRoot(), 'vspsr_x4', 'weights.pth');
  if (!fs.existsSync(weights)) throw new Error(`missing fixture ${weights}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vspsr-cli-'));
  // RGBA 16-bit input: the samples keep the alpha (left half opaque) and the 16 bits.
  const data = new Uint16Array(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? (Math.floor(i / 4) % 16 < 8 ? 65535 : 0) : (i * 9473) % 65536));
  const input = path.join(dir, 'lr.png');
  await writeImage(input, { width: 16, height: 16, channels: 4, bitDepth: 16, data });
  const out = path.join(dir, 'out');
  const code = await main(['sample', input, '-o', out, '--count', '2', '--seed', '3', '--weights', weights, '--cem', 'matlab', '--backend', 'cpu', '--quiet']);
  expect(code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['lr_sample00000.png', 'lr_sample00001.png']);
  const img = await readImage(path.join(out, 'lr_sample00001.png'));
  expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([64, 64, 4, 16]);
  expect([img.data[(32 * 64 + 2) * 4 + 3], img.data[(32 * 64 + 61) * 4 + 3]]).toEqual([65535, 0]);
  const bad = await main(['sample', path.join(dir, 'missing.png'), '-o', out, '--weights', weights, '--backend', 'cpu', '--quiet']);
  expect(bad).toBe(1);
  const badCem = await main(['sample', input, '-o', out, '--weights', weights, '--cem', 'bicubic', '--quiet']);
  expect(badCem).not.toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('vspsr sample with the default options (count 10) works on wasm, the default backend without a GPU (issue #20)', async () => {
  // Before the fix the 2nd sample threw "Cannot read properties of undefined (reading 'backend')": the
  // first decode freed the basis on WASM (core's transposing BatchMatMul dropped a reference it never held).
  const weights = path.join(goldenRoot(), 'vspsr_x4', 'weights.pth');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vspsr-cli-'));
  try {
    const data = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 53) % 256);
    const input = path.join(dir, 'lr.png');
    await writeImage(input, { width: 16, height: 16, channels: 3, bitDepth: 8, data });
    const out = path.join(dir, 'out');
    const code = await main(['sample', input, '-o', out, '--weights', weights, '--backend', 'wasm', '--quiet']);
    expect(code).toBe(0);
    expect(fs.readdirSync(out)).toHaveLength(10);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
