import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePng, encodePng } from '@sr/core';
import { main, parseRoi } from '../src/cli/localsr.js';

describe('localsr CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localsr-cli-'));
  const input = path.join(dir, 'in.png');
  beforeAll(async () => {
    const data = new Uint8Array(14 * 18 * 3).map((_, i) => (i * 37) % 256);
    fs.writeFileSync(input, await encodePng({ width: 18, height: 14, channels: 3, bitDepth: 8, data }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('upscale writes the ×4 ROI as PNG; a ROI outside the image fails with a clear message', async () => {
    const out = path.join(dir, 'out.png');
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await main(['upscale', input, '--roi', '12,9,6,5', '-o', out, '--backend', 'cpu'])).toBe(0);
    const img = await decodePng(fs.readFileSync(out));
    expect([img.width, img.height]).toEqual([24, 20]);
    expect(await main(['upscale', input, '--roi', '15,0,6,5', '-o', out, '--backend', 'cpu'])).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/outside the 18×14 image/);
    err.mockRestore();
    log.mockRestore();
  });

  it('parses --roi strictly', () => {
    expect(parseRoi('1, 2,3,4')).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    expect(() => parseRoi('1,2,3')).toThrow(/x,y,width,height/);
    expect(() => parseRoi('1,2,3,-4')).toThrow(/non-negative/);
  });
});
