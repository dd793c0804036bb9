import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImage, decodePng, encodePng } from '@sr/core';
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

  it('keeps the input alpha and 16 bits (RGBA 16-bit in → RGBA 16-bit out); JPEG output warns what it drops', async () => {
    // Left half opaque, right half transparent: the ×4 ROI straddling the edge keeps that split.
    const w = 18;
    const h = 14;
    const data = new Uint16Array(w * h * 4).map((_, i) => (i % 4 === 3 ? (Math.floor(i / 4) % w < 9 ? 65535 : 0) : (i * 4099) % 65536));
    const rgba16 = path.join(dir, 'rgba16.png');
    fs.writeFileSync(rgba16, await encodePng({ width: w, height: h, channels: 4, bitDepth: 16, data }));
    const out = path.join(dir, 'rgba16-out.png');
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['upscale', rgba16, '--roi', '4,4,10,5', '-o', out, '--backend', 'cpu', '-q'])).toBe(0);
      const img = await decodePng(fs.readFileSync(out));
      expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([40, 20, 4, 16]);
      const alphaAt = (x: number, y: number) => img.data[(y * img.width + x) * 4 + 3];
      expect(alphaAt(0, 10)).toBe(65535); // LR x = 4: opaque
      expect(alphaAt(39, 10)).toBe(0); // LR x = 13: transparent
      const jpg = path.join(dir, 'out.jpg');
      expect(await main(['upscale', rgba16, '--roi', '4,4,10,5', '-o', jpg, '--backend', 'cpu', '-q'])).toBe(0);
      expect((await decodeImage(fs.readFileSync(jpg))).width).toBe(40); // real JPEG bytes
      expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/localsr: warning: JPEG cannot hold its alpha channel or 8 of its 16 bits/);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });

  it('parses --roi strictly', () => {
    expect(parseRoi('1, 2,3,4')).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    expect(() => parseRoi('1,2,3')).toThrow(/x,y,width,height/);
    expect(() => parseRoi('1,2,3,-4')).toThrow(/non-negative/);
  });
});
