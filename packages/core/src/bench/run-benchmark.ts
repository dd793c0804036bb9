import * as tf from '@tensorflow/tfjs-core';
import { machineInfo, type MachineInfo } from './machine.js';

/** One benchmark result, the row format of `bench/results/<package>.json` (issue 12). */
export interface BenchRecord {
  name: string;
  machine: MachineInfo;
  /** tfjs backend (`cpu`, `wasm`, `webgpu`…), plus a variant such as `wasm×2 threads` in `backendDetail`. */
  backend: string;
  backendDetail?: string;
  model: string;
  /** `[H, W]` of the input (LR image or feature map). */
  inputSize: [number, number];
  /** Upscaling factor (1 for encoders/layers). */
  scale: number;
  runs: number;
  warmup: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Floating-point operations of one run (2 per multiply-add), or null when not counted. */
  flops: number | null;
  /** `flops / median`, in GFLOP/s. */
  gflops: number | null;
  /** Peak bytes of live tfjs tensors during one separate, untimed run (above the level before it), or null. */
  peakBytes: number | null;
  notes?: string;
}

/** What {@link runBenchmark} needs. */
export interface BenchmarkSpec<S = void> {
  name: string;
  model: string;
  inputSize: [number, number];
  scale?: number;
  /** Backend label; default `tf.getBackend()`. */
  backend?: string;
  backendDetail?: string;
  /** Builds inputs/models once (not timed). Whatever it returns is passed to `run` and `teardown`. */
  setup?: () => S | Promise<S>;
  /**
   * One timed run. It runs in an engine scope, so intermediate tensors are freed as in `tf.tidy`
   * (even when async); returned tensors are read back (`await t.data()`, so GPU work is included)
   * and disposed by the harness.
   */
  run: (state: S) => tf.Tensor | tf.Tensor[] | void | Promise<tf.Tensor | tf.Tensor[] | void>;
  /**
   * Releases what `setup` returned (models, input tensors). Always called, even when a run throws, so the
   * harness itself leaks no tensors.
   */
  teardown?: (state: S) => void | Promise<void>;
  /** FLOPs of one run (see `countFlops`), for GFLOP/s. */
  flops?: number | null;
  /** Untimed runs first (default 1): compile shaders, warm caches. */
  warmup?: number;
  /** Timed runs (default 5; at least 5 for the issue-12 result format). */
  runs?: number;
  /** Measure peak tensor memory in one extra untimed run (default true). */
  measureMemory?: boolean;
  notes?: string;
}

async function settle(out: tf.Tensor | tf.Tensor[] | void): Promise<void> {
  const list = out == null ? [] : Array.isArray(out) ? out : [out];
  try {
    await Promise.all(list.map((t) => t.data()));
  } finally {
    list.forEach((t) => t.dispose());
  }
}

/**
 * Peak bytes of live tfjs tensors while `fn` runs, above the level at its start. Sampled after every
 * kernel by wrapping the engine's kernel dispatch for the duration of the call. `tf.profile` is not
 * used because without a backend timer it reads every kernel output synchronously, which the
 * WebGPU backend in Node cannot do.
 */
export async function peakTensorBytes(fn: () => Promise<unknown>): Promise<number | null> {
  const engine = tf.engine() as unknown as { runKernelFunc?: (...args: unknown[]) => unknown; state?: { numBytes: number } };
  const original = engine.runKernelFunc;
  if (typeof original !== 'function' || !engine.state) return null;
  const base = engine.state.numBytes;
  let peak = base;
  engine.runKernelFunc = function (this: typeof engine, ...args: unknown[]) {
    const out = original.apply(this, args);
    peak = Math.max(peak, engine.state!.numBytes);
    return out;
  };
  try {
    await fn();
  } finally {
    engine.runKernelFunc = original;
  }
  return peak - base;
}

/**
 * One run inside an engine scope (like `tf.tidy`, but `run` may be async): intermediates are freed,
 * returned tensors are read back and then disposed.
 */
async function runOnce<S>(spec: BenchmarkSpec<S>, state: S): Promise<void> {
  const engine = tf.engine();
  engine.startScope('runBenchmark');
  let out: tf.Tensor | tf.Tensor[] | void = undefined;
  try {
    out = await spec.run(state);
  } finally {
    engine.endScope(out ?? undefined);
  }
  await settle(out);
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Times `run` after `warmup` untimed runs: median/min/max wall-clock over `runs` runs, each ending
 * with an asynchronous read of its outputs (so WebGPU work is included). Peak memory comes from one
 * extra, untimed run (see {@link peakTensorBytes}). Leaves no tensors.
 */
export async function runBenchmark<S>(spec: BenchmarkSpec<S>): Promise<BenchRecord> {
  const runs = spec.runs ?? 5;
  const warmup = spec.warmup ?? 1;
  if (runs < 1) throw new Error(`runBenchmark(${spec.name}): runs must be ≥ 1`);
  const state = (spec.setup ? await spec.setup() : undefined) as S;
  try {
    for (let i = 0; i < warmup; i++) await runOnce(spec, state);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = now();
      await runOnce(spec, state);
      times.push(now() - t0);
    }
    let peakBytes: number | null = null;
    if (spec.measureMemory !== false) peakBytes = await peakTensorBytes(() => runOnce(spec, state));
    const sorted = [...times].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const flops = spec.flops ?? null;
    return {
      name: spec.name,
      machine: machineInfo(),
      backend: spec.backend ?? tf.getBackend(),
      ...(spec.backendDetail ? { backendDetail: spec.backendDetail } : {}),
      model: spec.model,
      inputSize: spec.inputSize,
      scale: spec.scale ?? 1,
      runs,
      warmup,
      medianMs: median,
      minMs: sorted[0]!,
      maxMs: sorted[sorted.length - 1]!,
      flops,
      gflops: flops ? flops / (median * 1e6) : null,
      peakBytes,
      ...(spec.notes ? { notes: spec.notes } : {}),
    };
  } finally {
    await spec.teardown?.(state);
  }
}
