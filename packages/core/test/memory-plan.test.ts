/**
 * The up-front memory plan (planMemory, fitTile, assertOutputSize, assertIntInRange), the event-loop
 * yield that lets timer-fired aborts reach tiled loops, and use-after-dispose of modules.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  AbortError,
  InputError,
  Linear,
  assertIntInRange,
  assertMemoryPlan,
  assertOutputSize,
  backendMemoryLimits,
  fitTile,
  planMemory,
  runTiled,
  yieldToEventLoop,
  type MemoryLimits,
} from '../src/index.js';

const wasmLike: MemoryLimits = { backend: 'wasm', totalBytes: 3 * 2 ** 30, maxTensorBytes: 2 ** 31 - 1, source: 'test WASM heap' };

describe('planMemory / fitTile', () => {
  test('a plan over the total names every item and the limit', () => {
    const plan = planMemory([{ name: 'scores', bytes: 2 * 2 ** 30 }, { name: 'output', bytes: 1.5 * 2 ** 30 }], wasmLike);
    expect(plan.problem).toMatch(/needs about 3\.50 GiB at once \(scores 2\.00 GiB, output 1\.50 GiB\), above the 3\.00 GiB available \(test WASM heap\)/);
    expect(() => assertMemoryPlan(plan.items, 'upscale', wasmLike)).toThrow(InputError);
  });

  test('one tensor above the per-buffer limit (WebGPU maxStorageBufferBindingSize) is refused', () => {
    const gpu: MemoryLimits = { backend: 'webgpu', totalBytes: 2 ** 40, maxTensorBytes: 128 * 2 ** 20, source: 'maxStorageBufferBindingSize 128 MiB' };
    expect(planMemory([{ name: 'scores', bytes: 200 * 2 ** 20, single: true }], gpu).problem).toMatch(/scores needs 200\.0 MiB in one tensor, above 128\.0 MiB/);
  });

  test('fitTile halves until the plan fits, and refuses with numbers when even the smallest does not', () => {
    const items = (t: number) => [{ name: 'tile', bytes: t * t * 2 ** 20 }];
    expect(fitTile(128, 16, items, 'x', wasmLike).tile).toBe(32); // 32² MiB = 1 GiB; 64² MiB = 4 GiB
    expect(() => fitTile(128, 16, () => [{ name: 'output', bytes: 2 ** 40 }], 'upscale 9×9', wasmLike)).toThrow(/upscale 9×9: even with a 16-pixel tile, needs about 1024\.00 GiB/);
  });

  test('backendMemoryLimits reports the active backend and subtracts held tensors', () => {
    const l = backendMemoryLimits();
    expect(l.backend).toBe(tf.getBackend());
    expect(l.totalBytes).toBeGreaterThan(0);
    expect(backendMemoryLimits('wasm').source).toMatch(/WASM heap 4 GiB/);
  });
});

describe('size and count bounds', () => {
  test('assertOutputSize refuses non-integer, non-positive and huge outputs with the size asked for', () => {
    expect(() => assertOutputSize(48e9, 48e9, 'upscale ×1e9')).toThrow(/output 48000000000×48000000000 = .* MP exceeds the 200\.0 MP limit/);
    expect(() => assertOutputSize(NaN, 2, 'x')).toThrow(/not a positive integer size/);
    expect(() => assertOutputSize(100, 100, 'x', 9999)).toThrow(/E|exceeds/);
    expect(() => assertOutputSize(1000, 1000, 'x')).not.toThrow();
  });

  test('assertIntInRange names the option', () => {
    expect(assertIntInRange('count', 4, 1, 64)).toBe(4);
    for (const bad of [1e9, 0, 2.5, NaN, '3'])
      expect(() => assertIntInRange('count', bad, 1, 64)).toThrow(/count must be an integer in 1\.\.64/);
  });
});

describe('abort and lifecycle', () => {
  test('yieldToEventLoop lets a timer run', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const t0 = Date.now();
    while (!fired && Date.now() - t0 < 1000) await yieldToEventLoop();
    expect(fired).toBe(true);
  });

  test('without setImmediate (browsers, workers) it yields through a MessageChannel', async () => {
    const g = globalThis as { setImmediate?: unknown };
    const saved = g.setImmediate;
    g.setImmediate = undefined;
    try {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      const t0 = Date.now();
      while (!fired && Date.now() - t0 < 1000) await yieldToEventLoop();
      expect(fired).toBe(true);
      await Promise.all([yieldToEventLoop(), yieldToEventLoop(), yieldToEventLoop()]);
    } finally {
      g.setImmediate = saved;
    }
  });

  test('runTiled stops within one tile when an AbortSignal fires from a timer', async () => {
    const img = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    const ac = new AbortController();
    let tiles = 0;
    const slow = (p: tf.Tensor4D) => {
      tiles++;
      const end = Date.now() + 20; // a synchronous tile, like a kernel that blocks the thread
      while (Date.now() < end);
      return tf.clone(p);
    };
    setTimeout(() => ac.abort(), 30);
    await expect(runTiled(img, slow, { tile: 8, overlap: 0, signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    expect(tiles).toBeLessThan(8); // 64 tiles without the yield
    img.dispose();
  });

  test('a disposed module refuses loadStateDict / stateDict with E_DISPOSED', async () => {
    const lin = new Linear(2, 2);
    lin.dispose();
    expect(lin.isDisposed).toBe(true);
    expect(() => lin.loadStateDict({})).toThrow(/Linear was used after dispose\(\)/);
    await expect(lin.stateDict()).rejects.toMatchObject({ code: 'E_DISPOSED' });
    lin.dispose(); // idempotent
  });
});
