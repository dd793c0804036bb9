import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as os from 'node:os';
import { defaultWasmThreads, initBackend } from '@sr/core';
import { T, on, rand, relErr } from './wasm-helpers.js';
import { runChildScript } from './child-script.js';

// Multi-threaded WASM in Node (initBackend's `wasmThreads`): the threaded SIMD build starts its
// pthread pool and computes the same results as the CPU reference.
test('initBackend("wasm", { wasmThreads: 2 }) runs XNNPACK on 2 threads, matching cpu', async () => {
  const report = await initBackend('wasm', { wasmThreads: 2 });
  expect(report.backend).toBe('wasm');
  expect(getThreadsCount()).toBe(2);
  const X = rand([1, 16, 16, 8], 1);
  const K = rand([3, 3, 8, 16], 2);
  const f = () => [tf.conv2d(T(X) as tf.Tensor4D, T(K) as tf.Tensor4D, 1, 'same'), tf.matMul(tf.reshape(T(X), [256, 8]), tf.reshape(T(K), [8, 144]))];
  const ref = await on('cpu', f);
  const got = await on('wasm', f);
  expect(relErr(got, ref)).toBeLessThan(1e-5);
});

test('the default WASM thread count in Node is every available core, or $SR_WASM_THREADS', () => {
  const saved = process.env.SR_WASM_THREADS;
  try {
    delete process.env.SR_WASM_THREADS;
    expect(defaultWasmThreads()).toBe(os.availableParallelism());
    process.env.SR_WASM_THREADS = '3';
    expect(defaultWasmThreads()).toBe(3);
    process.env.SR_WASM_THREADS = 'many';
    expect(() => defaultWasmThreads()).toThrow(/SR_WASM_THREADS must be an integer/);
  } finally {
    if (saved === undefined) delete process.env.SR_WASM_THREADS;
    else process.env.SR_WASM_THREADS = saved;
  }
});

// The pool's workers must not keep Node alive: a script that finished its work has to exit by itself
// (they used to stay referenced, and a 2-thread training script hung after writing its results). The
// child runs core's source, bundled by esbuild (tests do not assume a built dist/), with the default
// thread count (every core, forced to 2 here so a pool exists even on a 1-core runner).
test('a Node process with a multi-thread WASM pool (the default) exits when its work is done', async () => {
  const threads = Math.max(2, os.availableParallelism());
  const t0 = Date.now();
  const res = await runChildScript(
    `import * as tf from '@tensorflow/tfjs-core';
          import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
          import { initBackend } from './src/node.ts';
          await initBackend('wasm');
          const y = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]));
          console.log('done', (await y.data())[0], tf.getBackend(), 'threads', getThreadsCount());`,
    { name: 'exit-test', env: { ...process.env, SR_WASM_THREADS: String(threads) } },
  );
  expect(res.stdout).toContain(`done 64 wasm threads ${threads}`);
  expect(res.signal).toBeNull(); // not killed by the timeout: it exited by itself
  expect(res.status).toBe(0);
  expect(Date.now() - t0).toBeLessThan(60_000);
});
