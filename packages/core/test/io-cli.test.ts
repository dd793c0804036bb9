/** `sr-ckpt inspect` / `sr-ckpt convert` on the shared weights. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedRoot } from '@sr/testkit';
import { main } from '../src/cli/sr-ckpt.js';
import { readCheckpoint } from '../src/index.js';

function capture(): { out: string[]; err: string[]; io: { out(l: string): void; err(l: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

const weights = (rel: string): string => path.join(sharedRoot(), 'weights', rel);

describe('sr-ckpt', () => {
  test('inspect lists keys, dtypes, shapes and the parameter count', async () => {
    const c = capture();
    expect(await main(['inspect', weights('torchvision/alexnet-features.pth')], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/features\.0\.weight\s+float32\s+\[64, 3, 11, 11\]/);
    expect(text).toMatch(/features\.10\.bias\s+float32\s+\[256\]/);
    // 64·3·121+64 + 192·64·25+192 + 384·192·9+384 + 256·384·9+256 + 256·256·9+256
    expect(text).toMatch(/10 tensors, 2,469,696 parameters/);
  });

  test('inspect --json on a legacy file and --key on a nested checkpoint', async () => {
    const c = capture();
    expect(await main(['inspect', weights('lpips/v0.1/squeeze.pth'), '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out.join('\n')) as { tensors: number; parameters: number; keys: { name: string; shape: number[] }[] };
    expect(j.tensors).toBe(7);
    expect(j.parameters).toBe(64 + 128 + 256 + 384 + 384 + 512 + 512);
    expect(j.keys[0]).toEqual({ name: 'lin0.model.1.weight', dtype: 'float32', shape: [1, 64, 1, 1], numel: 64 });
    const liif = path.join(sharedRoot(), 'fixtures', 'golden', 'liif-edsr', 'weights.pth');
    const d = capture();
    expect(await main(['inspect', liif, '--key', 'model.sd'], d.io)).toBe(0);
    expect(d.out[0]).toMatch(/state dict at 'model\.sd'/);
  });

  test('convert writes safetensors that read back identical; errors give exit code 1 with the message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-ckpt-'));
    const out = path.join(dir, 'alex.safetensors');
    const c = capture();
    expect(await main(['convert', weights('lpips/v0.1/alex.pth'), out], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/wrote .*alex\.safetensors: 5 tensors/);
    const a = await readCheckpoint(weights('lpips/v0.1/alex.pth'));
    const b = await readCheckpoint(out);
    expect(b).toEqual(a);
    const e = capture();
    expect(await main(['inspect', path.join(dir, 'nope.pth')], e.io)).toBe(1);
    expect(e.err.join('\n')).toMatch(/sr-ckpt: cannot read checkpoint file .*nope\.pth.*no such file/);
    expect(await main(['frobnicate'], capture().io)).toBe(2);
  });
});
