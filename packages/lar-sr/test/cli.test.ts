import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePng, encodePng, initBackend, writeSafetensors } from '@sr/core';
import { LocalAR, TexVQVAE } from '@sr/lar-sr';
import { main } from '../src/cli/lar-sr.js';

test('lar-sr sample writes --count PNGs from a --weights-dir', async () => {
  await initBackend('cpu');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lar-sr-cli-'));
  const vq = new TexVQVAE({ channel: 8, nResBlock: 1, nResChannel: 4, embedDim: 4, nEmbed: 16 });
  const lar = new LocalAR({ patchSize: 2, channel: 8, nEmbed: 16, block: 1 });
  fs.writeFileSync(path.join(dir, 'vqvae.safetensors'), writeSafetensors(await vq.stateDict()));
  fs.writeFileSync(path.join(dir, 'lar.safetensors'), writeSafetensors(await lar.stateDict()));
  vq.dispose();
  lar.dispose();
  // RGBA input: the samples keep its alpha (resized with the image).
  const px = Uint8Array.from({ length: 16 * 16 * 4 }, (_, i) => (i % 4 === 3 ? 200 : (i * 37) % 256));
  fs.writeFileSync(path.join(dir, 'in.png'), await encodePng({ width: 16, height: 16, channels: 4, bitDepth: 8, data: px }));
  const out = path.join(dir, 'out');
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  const err = jest.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(['sample', path.join(dir, 'in.png'), '-o', out, '--count', '2', '--seed', '5', '--weights-dir', dir, '--backend', 'cpu']);
    expect(code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['in_5_0.png', 'in_5_1.png']);
    const img = await decodePng(fs.readFileSync(path.join(out, 'in_5_1.png')));
    expect([img.channels, img.data[3], img.data[img.data.length - 1]]).toEqual([4, 200, 200]);
    expect(await main(['sample', path.join(dir, 'in.png'), '-o', out, '--weights-dir', os.tmpdir()])).toBe(2);
  } finally {
    log.mockRestore();
    err.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
