import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImage, expectNoLeak, initBackend, readCheckpoint } from '@sr/core';
import { main } from '../src/cli/ciaosr.js';
import { testPng } from './helpers.js';

// Tiny configuration: the protocol is the official one, the sizes are not (CPU test budget).
const TINY = ['--feats', '8', '--blocks', '1', '--hidden', '16,16', '--batch', '1', '--patch', '8', '--samples', '16', '--backend', 'cpu', '-q'];

describe('ciaosr CLI: train → resume → upscale', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciaosr-cli-'));
  const data = path.join(dir, 'data');
  const ckpt = path.join(dir, 'ckpt.safetensors');
  beforeAll(async () => {
    await initBackend('cpu');
    fs.mkdirSync(data);
    for (const [i, size] of [[0, 36], [1, 40]]) {
      fs.writeFileSync(path.join(data, `img${i}.png`), await testPng(size, size + 3));
    }
  });

  test('train 2 steps, checkpoint with PyTorch names + sidecar, resume to 3', async () => {
    expect(await main(['train', '--data', data, '--steps', '2', '--out', ckpt, ...TINY])).toBe(0);
    const side = JSON.parse(fs.readFileSync(`${ckpt}.json`, 'utf8'));
    expect(side.step).toBe(2);
    expect(side.config).toEqual({ backbone: 'edsr-baseline', feats: 8, blocks: 1, hidden: [16, 16] });
    const sd = await readCheckpoint(ckpt);
    expect(sd['conv_first.weight'].shape).toEqual([8, 3, 3, 3]);
    expect(sd['imnet_q.layers.4.weight'].shape).toEqual([3, 16]);
    const w2 = Float32Array.from(sd['imnet_q.layers.4.weight'].data as Float32Array);
    expect(await main(['train', '--data', data, '--steps', '3', '--out', ckpt, '--resume', ckpt, ...TINY])).toBe(0);
    const side3 = JSON.parse(fs.readFileSync(`${ckpt}.json`, 'utf8'));
    expect(side3.step).toBe(3);
    const w3 = (await readCheckpoint(ckpt))['imnet_q.layers.4.weight'].data as Float32Array;
    expect(w3.some((v, i) => v !== w2[i])).toBe(true); // the resumed step changed the weights
  });

  test('upscale with the trained checkpoint; a scale ≤ 1 is a usage error (exit code 2)', async () => {
    const input = path.join(dir, 'small.png');
    fs.writeFileSync(input, await testPng(7, 9));
    const out = path.join(dir, 'out.png');
    await expectNoLeak(async () => {
      expect(await main(['upscale', input, '-o', out, '--scale', '2.5', '--weights', ckpt, '--backend', 'cpu', '--tile', '4', '-q'])).toBe(0);
    });
    const img = await decodeImage(new Uint8Array(fs.readFileSync(out)));
    expect([img.height, img.width]).toEqual([18, 22]); // round(17.5) = 18, round(22.5) = 22 (half-to-even)
    expect(await main(['upscale', input, '-o', out, '--scale', '1', '--weights', ckpt, '--backend', 'cpu', '-q'])).toBe(2); // usage error: scale must be > 1
  });
});
