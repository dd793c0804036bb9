import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, ConvTranspose2d, Linear, Sequential, ReLU, addFlops, benchMarkdown, countFlops, countFlopsDuring, createBackbone, initBackend, machineInfo, peakTensorBytes, runBenchmark, writeBenchResults } from '@sr/core';

beforeAll(async () => {
  await initBackend('cpu');
});

test('countFlops counts conv, transposed conv and linear multiply-adds from the actual forward', () => {
  const net = new Sequential();
  net.add('0', new Conv2d(3, 8, 3, { padding: 1 }));
  net.add('1', new ReLU());
  net.add('2', new Conv2d(8, 8, 3, { padding: 1, stride: 2, groups: 2 }));
  net.add('3', new ConvTranspose2d(8, 4, 4, { stride: 2, padding: 1 }));
  net.add('4', new Linear(4, 6));
  const c = countFlops(net, [2, 10, 12, 3]);
  const expected = [
    2 * 10 * 12 * 8 * 3 * 9, // conv 3→8 on 10×12
    2 * 5 * 6 * 8 * 4 * 9, // stride 2, groups 2: in/groups = 4
    2 * 5 * 6 * 8 * 4 * 16, // transposed: every input scatters into out·k² outputs
    2 * 10 * 12 * 4 * 6, // linear on every pixel
  ];
  expect(c.layers.map((l) => l.macs)).toEqual(expected);
  expect(c.layers.map((l) => l.path)).toEqual(['0', '2', '3', '4']);
  expect(c.flops).toBe(2 * expected.reduce((a, b) => a + b, 0));
  // The instrumentation is removed afterwards.
  expect(Object.prototype.hasOwnProperty.call(net.layers[0], 'forward')).toBe(false);
  net.dispose();
});

test('countFlops of the EDSR-baseline encoder equals the analytic count', () => {
  const edsr = createBackbone('edsr-baseline', { nResblocks: 2, nFeats: 8 });
  const c = countFlops(edsr, [1, 6, 5, 3], (x) => edsr.encode(x as tf.Tensor4D));
  // head 3→8, 2 blocks × 2 convs 8→8, body conv 8→8 — all 3×3 on 6×5.
  expect(c.macs).toBe(30 * 9 * (3 * 8 + 5 * 8 * 8));
  edsr.dispose();
});

test('runBenchmark records timing, FLOP rate and peak tensor memory, and leaks nothing', async () => {
  const before = tf.memory().numTensors;
  const r = await runBenchmark({
    name: 'conv',
    model: 'conv 3×3 4→4',
    inputSize: [16, 16],
    flops: 2 * 16 * 16 * 4 * 4 * 9,
    runs: 5,
    setup: () => ({ x: tf.ones([1, 16, 16, 4]) as tf.Tensor4D, w: tf.ones([3, 3, 4, 4]) as tf.Tensor4D }),
    run: ({ x, w }) => tf.relu(tf.conv2d(x, w, 1, 'same')),
    teardown: ({ x, w }) => tf.dispose([x, w]),
  });
  expect(tf.memory().numTensors).toBe(before);
  expect(r.backend).toBe('cpu');
  expect(r.runs).toBe(5);
  expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
  expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
  expect(r.gflops).toBeCloseTo(r.flops! / (r.medianMs * 1e6), 9);
  // conv output + relu output, 16·16·4 floats each, are alive at the same time.
  expect(r.peakBytes).toBe(2 * 16 * 16 * 4 * 4);
  expect(r.machine.cores).toBeGreaterThan(0);
  expect(r.machine.runtime).toMatch(/^node /);
});

test('peakTensorBytes sees intermediate tensors freed before the end', async () => {
  const peak = await peakTensorBytes(async () => {
    tf.tidy(() => tf.sum(tf.mul(tf.ones([1000]), 2)));
  });
  expect(peak).toBeGreaterThanOrEqual(2 * 4000);
});

test('writeBenchResults writes <pkg>.json and a Markdown table', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-bench-'));
  const rec = {
    name: 'x', machine: machineInfo(), backend: 'wasm', backendDetail: '1 thread', model: 'm', inputSize: [8, 8] as [number, number], scale: 2,
    runs: 5, warmup: 1, medianMs: 12.5, minMs: 10, maxMs: 20, flops: 1.91e9, gflops: 152.8, peakBytes: 3 * 2 ** 20,
  };
  const { json, markdown } = writeBenchResults('demo', [rec], dir);
  expect(path.basename(json)).toBe('demo.json');
  expect(JSON.parse(fs.readFileSync(json, 'utf8')).records[0]).toEqual(rec);
  const md = fs.readFileSync(markdown, 'utf8');
  expect(md).toContain('| x | wasm (1 thread) | m | 8×8 | ×2 | 12.5 ms | 10.0 ms | 20.0 ms | 5 | 152.80 | 80.0% | 3.0 MiB |');
  expect(benchMarkdown('t', [rec])).toBe(md.replace('@sr/demo benchmarks', 't'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('core benchmark suite runs end to end on tiny sizes', async () => {
  const { runCoreBenchmarks } = await import('../src/bench/core-bench.js');
  const t0 = Date.now();
  const recs = await runCoreBenchmarks('wasm', { size: 8, trainSize: 6, runs: 5, warmup: 1, only: ['conv', 'edsr', 'train'], log: () => {} });
  expect(recs.map((r) => r.name)).toEqual(['conv3x3 64→64', 'edsr-baseline encoder', 'train step (Adam, L1)']);
  for (const r of recs) {
    expect(r.backend).toBe('wasm');
    expect(r.gflops).toBeGreaterThan(0);
  }
  const cpu = await runCoreBenchmarks('cpu', { size: 8, runs: 5, warmup: 0, only: ['conv', 'edsr'], log: () => {} });
  expect(cpu.map((r) => r.name)).toEqual(['conv3x3 64→64']); // encoders are skipped on cpu by default
  console.log(`core bench smoke test: ${Date.now() - t0} ms`);
});

test('countFlopsDuring counts every counted layer an async pipeline runs, plus addFlops, and nests', async () => {
  const a = new Conv2d(3, 8, 3, { padding: 1 });
  const b = new Linear(8, 2);
  const x = tf.zeros([1, 4, 5, 3]);
  const run = () => tf.tidy(() => b.forward(a.forward(x)));
  const expected = 2 * (4 * 5 * 8 * 3 * 9 + 4 * 5 * 8 * 2);
  const { value, flops } = await countFlopsDuring(async () => {
    const y = run();
    addFlops(10);
    const inner = await countFlopsDuring(() => run().dispose());
    expect(inner.flops).toBe(2 * expected + 10); // the running total of the outer count
    return y;
  });
  expect(flops).toBe(2 * expected + 10);
  expect(value.shape).toEqual([1, 4, 5, 2]);
  addFlops(1e9); // no count active: ignored
  expect((await countFlopsDuring(() => run().dispose())).flops).toBe(expected);
  // Agrees with the per-module counter on the same layer.
  expect(countFlops(a, [1, 4, 5, 3]).flops).toBe(2 * 4 * 5 * 8 * 3 * 9);
  tf.dispose([x, value]);
  a.dispose();
  b.dispose();
});
