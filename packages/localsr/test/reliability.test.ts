/**
 * LocalSR's up-front memory plan (the PIM features of every stage at full resolution are what took a
 * 2000² image past the 4 GiB WASM heap) and use after dispose.
 */
import { planMemory, type MemoryLimits } from '@sr/core';
import { createLocalSR, type LocalSR } from '../src/index.js';
import { prepareItems, regionItems } from '../src/memory-plan.js';
import { testImage } from './helpers.js';

const tiny = { backboneConfig: { channels: 8, blocks: 2, growth: 4 }, padding: 2, numPatches: 6, gcmStages: 1 } as const;
const wasmHeap: MemoryLimits = { backend: 'wasm', totalBytes: 3 * 2 ** 30, maxTensorBytes: 2 ** 31 - 1, source: 'WASM heap 4 GiB' };

describe('LocalSR memory plan', () => {
  let local: LocalSR;
  beforeAll(async () => {
    local = await createLocalSR({ backbone: 'edsr' }); // default sizes: EDSR 16 × 64, PIM c' = 6
  });
  afterAll(() => local.dispose());

  test('prepare of a 4000² image does not fit a WASM heap and says why; 1000² does', () => {
    const big = planMemory(prepareItems(local.model, 4000, 4000), wasmHeap);
    expect(big.problem).toMatch(/PIM features \(16 stages × 4000×4000×6, kept\) 5\.72 GiB/);
    expect(planMemory(prepareItems(local.model, 1000, 1000), wasmHeap).problem).toBeUndefined();
  });

  test('a 48² region fits; a 4000² region of a larger image does not', () => {
    expect(planMemory(regionItems(local.model, { x: 0, y: 0, width: 48, height: 48 }, 1000, 1000), wasmHeap).problem).toBeUndefined();
    expect(planMemory(regionItems(local.model, { x: 0, y: 0, width: 4000, height: 4000 }, 5000, 5000), wasmHeap).problem).toMatch(/output 16000×16000×3 needs 2\.86 GiB in one tensor/);
  });
});

test('every LocalSR method after dispose() is a clear E_DISPOSED error', async () => {
  const local = await createLocalSR({ backbone: 'edsr', ...tiny });
  const x = testImage(10, 10);
  await local.prepare(x);
  local.dispose();
  local.dispose(); // idempotent
  await expect(local.prepare(x)).rejects.toMatchObject({ code: 'E_DISPOSED' });
  await expect(local.upscaleRegion({ x: 0, y: 0, width: 4, height: 4 })).rejects.toThrow(/this LocalSR was used after dispose\(\)/);
  x.dispose();
});
