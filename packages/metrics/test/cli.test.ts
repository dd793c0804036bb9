import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sharedRoot } from '@sr/testkit';
import { main } from '../src/cli/sr-metrics.js';

const metrics = () => {
  const d = path.join(sharedRoot(), 'fixtures', 'metrics');
  if (!fs.existsSync(path.join(d, 'expected.json'))) throw new Error(`fixture missing: ${d}`);
  return d;
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), progress: false }, out, err };
}

describe('sr-metrics CLI', () => {
  let tmp: string;
  beforeAll(() => {
    // Temporary folders outside the repository, filled from the shared fixtures at run time.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-metrics-'));
    for (const d of ['gt', 'sr']) fs.mkdirSync(path.join(tmp, d));
    for (const n of ['bird', 'butterfly']) {
      fs.copyFileSync(path.join(metrics(), `${n}_hr.png`), path.join(tmp, 'gt', `${n}.png`));
      fs.copyFileSync(path.join(metrics(), `${n}_bicubic_x4.png`), path.join(tmp, 'sr', `${n}.png`));
    }
    fs.copyFileSync(path.join(metrics(), 'head_hr.png'), path.join(tmp, 'gt', 'head.png')); // no SR: an error, or (--allow-unpaired) warned and skipped
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('PSNR/SSIM (Y, crop 4) to JSON and CSV, paired by name, matching expected.json', async () => {
    const { io: cio, out, err } = io();
    const json = path.join(tmp, 'out.json');
    const csv = path.join(tmp, 'out.csv');
    const strict = io();
    expect(await main(['--gt', path.join(tmp, 'gt'), '--sr', path.join(tmp, 'sr'), '--backend', 'cpu'], strict.io)).toBe(1);
    expect(strict.err.join('\n')).toMatch(/sets do not match .*GT image\(s\) without a matching SR file: head\.png.*--allow-unpaired/);
    const code = await main(['--gt', path.join(tmp, 'gt'), '--sr', path.join(tmp, 'sr'), '--y', '--crop', '4', '--json', json, '--csv', csv, '--backend', 'cpu', '--allow-unpaired'], cio);
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/head\.png: no matching SR/);
    const r = JSON.parse(fs.readFileSync(json, 'utf8'));
    const exp = JSON.parse(fs.readFileSync(path.join(metrics(), 'expected.json'), 'utf8')).images;
    expect(r.images.map((i: { name: string }) => i.name)).toEqual(['bird.png', 'butterfly.png']);
    for (const img of r.images) {
      const e = exp[img.name.replace('.png', '')].basicsr;
      expect(Math.abs(img.psnr - e.psnr_y_crop4)).toBeLessThan(1e-3);
      expect(Math.abs(img.ssim - e.ssim_y_crop4)).toBeLessThan(1e-4);
    }
    expect(r.mean.psnr).toBeCloseTo((r.images[0].psnr + r.images[1].psnr) / 2, 10);
    expect(out[0]).toMatch(/image\s+psnr\s+ssim/);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('name,psnr,ssim');
    expect(lines).toHaveLength(4);
  });

  it('--samples: NTIRE diversity and LR-PSNR with LPIPS-alex (wasm backend), plus LPIPS of --sr', async () => {
    const ntire = path.join(sharedRoot(), 'fixtures', 'ntire');
    const exp = JSON.parse(fs.readFileSync(path.join(ntire, 'expected.json'), 'utf8')).images.butterfly;
    const root = path.join(tmp, 'ntire');
    fs.mkdirSync(path.join(root, 'gt'), { recursive: true });
    fs.mkdirSync(path.join(root, 'samples', 'butterfly'), { recursive: true });
    fs.mkdirSync(path.join(root, 'sr'), { recursive: true });
    fs.copyFileSync(path.join(ntire, 'butterfly', 'gt.png'), path.join(root, 'gt', 'butterfly.png'));
    fs.copyFileSync(path.join(ntire, 'butterfly', 'sample_00.png'), path.join(root, 'sr', 'butterfly.png'));
    for (const f of exp.files.samples) fs.copyFileSync(path.join(ntire, f), path.join(root, 'samples', 'butterfly', path.basename(f)));
    const w = path.join(sharedRoot(), 'weights');
    const { io: cio } = io();
    const json = path.join(root, 'r.json');
    const code = await main(
      ['--gt', path.join(root, 'gt'), '--sr', path.join(root, 'sr'), '--samples', path.join(root, 'samples'), '--scale', '4',
        '--lpips', 'alex', '--lpips-weights', path.join(w, 'torchvision/alexnet-features.pth'), '--lpips-lin', path.join(w, 'lpips/v0.1/alex.pth'),
        '--json', json, '--backend', 'wasm'],
      cio,
    );
    expect(code).toBe(0);
    const r = JSON.parse(fs.readFileSync(json, 'utf8')).images[0];
    expect(Math.abs(r.diversity - exp.score)).toBeLessThan(0.05);
    expect(Math.abs(r.lpipsMean - exp.LPIPS_mean)).toBeLessThan(1e-4);
    expect(Math.abs(r.lrPsnrMean - exp.LRPSNR_mean)).toBeLessThan(0.01);
    expect(Math.abs(r.lrPsnrWorst - exp.LRPSNR_worst)).toBeLessThan(0.01);
    expect(r.lpips).toBeGreaterThan(0);
  });

  it('usage errors give exit codes, not crashes', async () => {
    const a = io();
    expect(await main(['--sr', tmp], a.io)).toBe(2); // missing --gt
    const b = io();
    expect(await main(['--gt', path.join(tmp, 'gt')], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/nothing to measure/);
    const c = io();
    expect(await main(['--gt', path.join(tmp, 'gt'), '--sr', path.join(tmp, 'sr'), '--lpips', 'alex'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/--lpips-weights/);
    const d = io();
    expect(await main(['--gt', path.join(tmp, 'nope'), '--sr', tmp], d.io)).toBe(1);
    expect(d.err.join('\n')).toMatch(/cannot read folder/);
  });
});
