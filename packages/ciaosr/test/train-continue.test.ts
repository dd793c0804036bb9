import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, writeSafetensors } from '@sr/core';
import { createCiaoSRBackbone, CiaoSR, CONFIG_METADATA_KEY } from '../src/index.js';
import { trainContinueMain } from '../src/cli/train-continue.js';
import { decodeTrainState } from '../src/train-state.js';
import { testPng } from './helpers.js';

// Tiny model and crops: the point is the bookkeeping of the resume, not the learning (~10 s on cpu).
const CONFIG = { backbone: 'edsr-baseline', feats: 4, blocks: 1, hidden: [8] } as const;
const TINY = ['--backend', 'cpu', '--batch', '2', '--inp-size', '8', '--sample-q', '16', '--eval-every', '0', '--print-every', '1', '--warmup', '3', '--lr', '1e-3'];

describe('train:continue resumes exactly', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciaosr-continue-'));
  const data = path.join(dir, 'data');
  const init = path.join(dir, 'init.safetensors');
  const pkg = path.resolve(__dirname, '..');
  let out: jest.SpyInstance;
  beforeAll(async () => {
    await initBackend('cpu');
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    fs.mkdirSync(data);
    for (const [i, size] of [[0, 36], [1, 40]]) fs.writeFileSync(path.join(data, `img${i}.png`), await testPng(size, size + 3));
    const model = new CiaoSR(createCiaoSRBackbone(CONFIG.backbone, { feats: CONFIG.feats, blocks: CONFIG.blocks }), { hiddenList: [...CONFIG.hidden] });
    fs.writeFileSync(init, writeSafetensors(await model.stateDict(), { [CONFIG_METADATA_KEY]: JSON.stringify(CONFIG) }));
    model.dispose();
  });
  afterAll(() => {
    out.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const run = (state: string, steps: number) => trainContinueMain(['--dir', state, '--init', init, '--data', data, '--steps', String(steps), ...TINY], pkg);
  const losses = (state: string) => fs.readFileSync(path.join(state, 'loss.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 3).join(','));

  test('4 steps straight == 2 steps + resume + 2 steps (losses, lr, weights, moments, RNG)', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    expect(await run(a, 4)).toBe(0);
    expect(await run(b, 2)).toBe(0);
    // a crashed run leaves log rows past its last checkpoint: the resume must drop and replay them
    fs.appendFileSync(path.join(b, 'loss.csv'), '3,0.5,1e-3,1.0\n');
    expect(await run(b, 4)).toBe(0);
    expect(losses(b)).toEqual(losses(a));
    expect(losses(a)).toHaveLength(4);
    const sa = decodeTrainState(new Uint8Array(fs.readFileSync(path.join(a, 'state.safetensors'))));
    const sb = decodeTrainState(new Uint8Array(fs.readFileSync(path.join(b, 'state.safetensors'))));
    expect(sb.meta).toEqual(sa.meta);
    expect(sa.meta.step).toBe(4);
    for (const k of Object.keys(sa.weights)) expect(Array.from(sb.weights[k].data as Float32Array)).toEqual(Array.from(sa.weights[k].data as Float32Array));
    for (const k of Object.keys(sa.moments)) expect(Array.from(sb.moments[k].data as Float32Array)).toEqual(Array.from(sa.moments[k].data as Float32Array));
    const runs = JSON.parse(fs.readFileSync(path.join(b, 'runs.json'), 'utf8'));
    expect(runs.map((r: { fromStep: number; toStep: number }) => [r.fromStep, r.toStep])).toEqual([[0, 2], [2, 4]]);
    expect(fs.readdirSync(b).filter((f) => f.includes('.tmp'))).toEqual([]); // atomic writes leave no temporaries
  });
});
