import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeImage, expectNoLeak, initBackend, writeSafetensors } from '@sr/core';
import { pathToFileURL } from 'node:url';
import { CiaoSR, createCiaoSRBackbone, createUpscaler, DEFAULT_WEIGHTS_ENV, defaultWeightsUrl, findDefaultWeights, findPackageFile, readWeightsWithConfig } from '../src/index.js';
import { main } from '../src/cli/ciaosr.js';
import { evalCrop, evalGeometry } from '../src/cli/eval-default.js';
import { trainLogMarkdown } from '../src/cli/train-log.js';

// A tiny random model stands in for the real default weights (which these tests never depend on).
const TINY = { backbone: 'edsr-baseline', feats: 8, blocks: 1, hidden: [16, 16] };
const PKG = path.resolve(__dirname, '..');

describe('built-in default weights and sample', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciaosr-default-'));
  const weights = path.join(dir, 'tiny.safetensors');
  const cwd = process.cwd();
  const env = process.env[DEFAULT_WEIGHTS_ENV];

  beforeAll(async () => {
    await initBackend('cpu');
    const m = new CiaoSR(createCiaoSRBackbone('edsr-baseline', { feats: 8, blocks: 1 }), { hiddenList: [16, 16] });
    fs.writeFileSync(weights, writeSafetensors(await m.stateDict(), { ciaosr_config: JSON.stringify(TINY) }));
    m.dispose();
    // An "installed" package seen from a project folder: node_modules/@sr/ciaosr → this package.
    fs.mkdirSync(path.join(dir, 'project', 'node_modules', '@sr'), { recursive: true });
    fs.symlinkSync(PKG, path.join(dir, 'project', 'node_modules', '@sr', 'ciaosr'));
  });
  afterEach(() => {
    process.chdir(cwd);
    if (env === undefined) delete process.env[DEFAULT_WEIGHTS_ENV];
    else process.env[DEFAULT_WEIGHTS_ENV] = env;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the built-in weights are found from the package, whatever the working directory', async () => {
    delete process.env[DEFAULT_WEIGHTS_ENV];
    process.chdir(os.tmpdir()); // nothing named packages/ciaosr or node_modules/@sr/ciaosr above it
    expect(defaultWeightsUrl().href).toBe(pathToFileURL(path.join(PKG, 'weights', 'default.safetensors')).href);
    expect(await findDefaultWeights()).toBe(path.join(PKG, 'weights', 'default.safetensors'));
    expect(await findPackageFile('assets/sample.png')).toBe(path.join(PKG, 'assets', 'sample.png'));
    process.env[DEFAULT_WEIGHTS_ENV] = path.join(dir, 'missing.safetensors');
    await expect(createUpscaler()).rejects.toThrow(/CIAOSR_DEFAULT_WEIGHTS=.*missing\.safetensors: file not found/);
  });

  test('explicit weights that store a configuration build that model (path, URL or bytes)', async () => {
    for (const src of [weights, pathToFileURL(weights), new Uint8Array(fs.readFileSync(weights))]) {
      const sr = await createUpscaler({ weights: src });
      expect(sr.model.backbone.channels).toBe(8);
      sr.dispose();
    }
    await expect(createUpscaler({ weights, head: { hiddenList: [32] } })).rejects.toThrow(/fix the model .*apply only to weights that store no configuration/);
  });

  test('the model is built from the configuration stored in the weights file', async () => {
    process.env[DEFAULT_WEIGHTS_ENV] = weights;
    const w = await readWeightsWithConfig(weights);
    expect(w.config).toEqual(TINY);
    const sr = await createUpscaler();
    expect(sr.model.backbone.channels).toBe(8);
    expect(sr.model.head.imnetQ.namedParameters().map(([, p]) => p.variable.shape)).toContainEqual([16, 16]);
    sr.dispose();
    await expect(createUpscaler({ backboneOptions: { feats: 64 } })).rejects.toThrow(/built-in weights .* fix the model/);
    const bare = path.join(dir, 'bare.safetensors');
    fs.writeFileSync(bare, writeSafetensors(w.stateDict));
    process.env[DEFAULT_WEIGHTS_ENV] = bare;
    await expect(createUpscaler()).rejects.toThrow(/stores no model configuration/);
  });

  test('`ciaosr upscale --scale 2` with no input: sample-x2.png and sample-bicubic-x2.png in the cwd', async () => {
    process.env[DEFAULT_WEIGHTS_ENV] = weights;
    process.chdir(path.join(dir, 'project'));
    await expectNoLeak(async () => {
      expect(await main(['upscale', '--scale', '2', '--backend', 'wasm', '-q'])).toBe(0);
    });
    for (const f of ['sample-x2.png', 'sample-bicubic-x2.png']) {
      const img = await decodeImage(new Uint8Array(fs.readFileSync(f)));
      expect([img.width, img.height]).toEqual([256, 192]); // the 128×96 sample ×2
    }
    // -o names the result; the bicubic comparison goes beside it. An input file still needs -o.
    fs.mkdirSync('out');
    expect(await main(['upscale', '-o', 'out/face.png', '--width', '130', '--height', '98', '--backend', 'wasm', '-q'])).toBe(0);
    expect(fs.existsSync('out/face-bicubic.png')).toBe(true);
    expect(await main(['upscale', 'out/face.png', '--scale', '2', '--backend', 'wasm', '-q'])).toBe(2); // a usage error
  });

  test('eval geometry and the model-card loss table', () => {
    expect(evalGeometry(256, 255, 4)).toEqual({ hr: [256, 252], lr: [64, 63] });
    expect(evalGeometry(288, 288, 3.5)).toEqual({ hr: [288, 288], lr: [82, 82] });
    expect([evalCrop(2), evalCrop(3.5)]).toEqual([2, 4]);
    const rows = Array.from({ length: 40 }, (_, i) => ({ step: i + 1, loss: 0.1 - i * 0.001, lr: 2e-4, elapsed: (i + 1) * 2 }));
    const md = trainLogMarkdown(rows, 4);
    expect(md).toMatch(/^Trained 40 steps in 1\.3 min \(2\.00 s\/step\)/);
    expect(md.split('\n').filter((l) => l.startsWith('| 1'))).toHaveLength(2); // 1–10, 11–20
  });
});
