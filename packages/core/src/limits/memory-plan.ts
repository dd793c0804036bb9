/**
 * Memory planning before a run: the caller lists the buffers a step will hold at once (output, one
 * tile's activations, the attention scores, a decoder chunk) and the plan is checked against the active
 * backend's limits before any work starts, so an oversized request fails in milliseconds with the
 * numbers instead of minutes later with a WASM "memory access out of bounds" or a WebGPU validation
 * error. Estimates are upper bounds of the tensors held at the peak, not exact allocator accounting.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors/index.js';

/** What the active backend can hold. */
export interface MemoryLimits {
  /** Backend name (`'wasm'`, `'webgpu'`, `'cpu'`, …). */
  backend: string;
  /** Bytes all live tensors of one step may take together. */
  totalBytes: number;
  /** Bytes one tensor (one GPU buffer, one typed array) may take. */
  maxTensorBytes: number;
  /** Where the numbers come from, for messages. */
  source: string;
}

const GiB = 2 ** 30;

/**
 * The WASM backend's linear memory is at most 4 GiB (wasm32). Kernels need scratch (im2col, XNNPACK
 * packing) and the heap fragments, so plans may use 3 GiB minus what tensors already hold (weights).
 */
export const WASM_HEAP_BYTES = 4 * GiB;
const WASM_PLANNABLE = 3 * GiB;
/**
 * The cpu backend keeps tensors in JS typed arrays: one may hold at most 2^31 − 1 bytes portably; 8 GiB
 * in all is a sane bound for a process that should not push the machine into swap.
 */
const CPU_TOTAL = 8 * GiB;
const TYPED_ARRAY_MAX = 2 ** 31 - 1;

/**
 * The limits of the active tfjs backend (or `backend`): WASM 4 GiB heap; WebGPU the device's
 * `maxStorageBufferBindingSize` / `maxBufferSize` per tensor; cpu a sane bound. Bytes already held by
 * tensors (weights) are subtracted from the total.
 */
export function backendMemoryLimits(backendName?: string): MemoryLimits {
  const held = tf.memory().numBytes; // also initialises the default backend, so getBackend() has a name
  const backend = backendName ?? tf.getBackend();
  if (backend === 'wasm')
    return { backend, totalBytes: Math.max(0, WASM_PLANNABLE - held), maxTensorBytes: TYPED_ARRAY_MAX, source: `WASM heap ${WASM_HEAP_BYTES / GiB} GiB, ${fmtBytes(held)} already held by tensors` };
  if (backend === 'webgpu') {
    const limits = (tf.findBackend('webgpu') as unknown as { device?: { limits?: Record<string, number> } } | null)?.device?.limits;
    const binding = limits?.maxStorageBufferBindingSize ?? 128 * 2 ** 20;
    const buffer = limits?.maxBufferSize ?? 256 * 2 ** 20;
    // GPU memory itself is not reported by WebGPU; bound a step by what one large buffer per tensor allows.
    return { backend, totalBytes: 4 * GiB, maxTensorBytes: Math.min(binding, buffer), source: `WebGPU maxStorageBufferBindingSize ${fmtBytes(binding)}, maxBufferSize ${fmtBytes(buffer)}` };
  }
  return { backend, totalBytes: Math.max(0, CPU_TOTAL - held), maxTensorBytes: TYPED_ARRAY_MAX, source: `${backend} backend: ${fmtBytes(CPU_TOTAL)} in all, ${fmtBytes(TYPED_ARRAY_MAX)} per tensor` };
}

/** One buffer (or a group of buffers) held at the step's peak. */
export interface MemoryItem {
  /** Names it in messages, e.g. `'attention scores [9216 × 2304]'`. */
  name: string;
  bytes: number;
  /** True when `bytes` is one tensor, so it must also fit {@link MemoryLimits.maxTensorBytes}. */
  single?: boolean;
}

/** Result of {@link planMemory}. */
export interface MemoryPlan {
  items: MemoryItem[];
  totalBytes: number;
  limits: MemoryLimits;
  /** Undefined when the plan fits, else why not (with the numbers). */
  problem?: string;
}

/** Checks `items` against `limits` (default: the active backend's). */
export function planMemory(items: MemoryItem[], limits: MemoryLimits = backendMemoryLimits()): MemoryPlan {
  const totalBytes = items.reduce((a, i) => a + i.bytes, 0);
  const big = items.find((i) => i.single && i.bytes > limits.maxTensorBytes);
  let problem: string | undefined;
  if (big) problem = `${big.name} needs ${fmtBytes(big.bytes)} in one tensor, above ${fmtBytes(limits.maxTensorBytes)} (${limits.source})`;
  else if (totalBytes > limits.totalBytes)
    problem =
      `needs about ${fmtBytes(totalBytes)} at once (${items.map((i) => `${i.name} ${fmtBytes(i.bytes)}`).join(', ')}), ` +
      `above the ${fmtBytes(limits.totalBytes)} available (${limits.source})`;
  return { items, totalBytes, limits, ...(problem ? { problem } : {}) };
}

/** Throws an {@link InputError} `E_MEMORY` naming `what` and the numbers when the plan does not fit. */
export function assertMemoryPlan(items: MemoryItem[], what: string, limits?: MemoryLimits): MemoryPlan {
  const plan = planMemory(items, limits);
  if (plan.problem) throw new InputError(`${what}: ${plan.problem}`, 'E_MEMORY');
  return plan;
}

/**
 * The largest tile (from `tile` down, halving, not below `minTile`) whose plan fits. `tile` must be
 * finite (pass the image size for "one tile"). Returns the tile and its plan; throws
 * {@link InputError} `E_MEMORY` with the smallest tile's numbers when none fits.
 */
export function fitTile(tile: number, minTile: number, items: (tile: number) => MemoryItem[], what: string, limits: MemoryLimits = backendMemoryLimits()): { tile: number; plan: MemoryPlan } {
  if (!Number.isFinite(tile)) throw new InputError(`fitTile: tile must be finite, got ${tile}`);
  for (let t = tile; ; t = Math.max(minTile, Math.floor(t / 2))) {
    const plan = planMemory(items(t), limits);
    if (!plan.problem) return { tile: t, plan };
    if (t <= minTile) throw new InputError(`${what}: even with a ${t}-pixel tile, ${plan.problem}`, 'E_MEMORY');
  }
}

/** Default maximum output pixel count of an upscale: 200 MP (a 50 MP input ×2); `$SR_MAX_OUTPUT_PIXELS` overrides. */
export const DEFAULT_MAX_OUTPUT_PIXELS = 200_000_000;

/**
 * Throws an {@link InputError} `E_OUTPUT_TOO_LARGE` when a `width × height` output is not a positive
 * integer size or exceeds `maxPixels` (default `$SR_MAX_OUTPUT_PIXELS`, else 200 MP). Call it before
 * computing anything, so `scale: 1e9` fails at once with the size it asked for.
 */
export function assertOutputSize(width: number, height: number, what: string, maxPixels?: number): void {
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height) && width > 0 && height > 0))
    throw new InputError(`${what}: output size ${width}×${height} is not a positive integer size`, 'E_OUTPUT_TOO_LARGE');
  const env = typeof process !== 'undefined' ? (process as { env?: Record<string, string | undefined> }).env?.SR_MAX_OUTPUT_PIXELS : undefined;
  const limit = maxPixels ?? (env && Number(env) > 0 ? Number(env) : DEFAULT_MAX_OUTPUT_PIXELS);
  if (width * height > limit)
    throw new InputError(
      `${what}: output ${width}×${height} = ${(width * height / 1e6).toFixed(1)} MP exceeds the ${(limit / 1e6).toFixed(1)} MP limit ` +
        '(raise it with maxOutputPixels or SR_MAX_OUTPUT_PIXELS if the backend has the memory)',
      'E_OUTPUT_TOO_LARGE',
    );
}

/**
 * Checks a count/size option: an integer in `[min, max]`, else an {@link InputError} `E_OPTION` naming it.
 * For API-level bounds such as sample counts (`count: 1e9` must fail at once, not after allocating).
 */
export function assertIntInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new InputError(`${name} must be an integer in ${min}..${max}, got ${String(value)}`, 'E_OPTION');
  return value;
}

/** Largest `count` of the diverse samplers (LAR-SR, VSpSR, RefVAE): every sample is held until returned. */
export const MAX_SAMPLE_COUNT = 1000;

/**
 * Checks a sampler's `count` (an integer in 1..{@link MAX_SAMPLE_COUNT}) and, once the output size is
 * known, that `count` results of `width × height × channels` float32 fit the backend together.
 * Throws {@link InputError} `E_OPTION` / `E_MEMORY` naming `what`.
 */
export function assertSampleCount(count: unknown, what: string, output?: { width: number; height: number; channels?: number }): number {
  const n = assertIntInRange(`${what}: count`, count, 1, MAX_SAMPLE_COUNT);
  if (output) {
    const { width, height, channels = 3 } = output;
    assertMemoryPlan([{ name: `${n} sample${n > 1 ? 's' : ''} of ${width}×${height}×${channels}`, bytes: n * width * height * channels * 4 }], what);
  }
  return n;
}

/** Bytes as a short human string (`1.5 GiB`). */
export function fmtBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

let channel: { port: MessagePort; waiting: (() => void)[] } | null = null;

/**
 * Resolves on the next macrotask, so timers and I/O callbacks (an `AbortSignal` fired by `setTimeout`)
 * run between tiles. `setImmediate` in Node (no 1 ms clamp), one shared MessageChannel in browsers and
 * workers (`setTimeout(0)` is clamped to ≥ 4 ms after nesting), else `setTimeout`.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof g.MessageChannel === 'function') {
    if (!channel) {
      const ch = new g.MessageChannel();
      const c = { port: ch.port2, waiting: [] as (() => void)[] };
      ch.port1.onmessage = () => c.waiting.shift()?.();
      (ch.port1 as { unref?: () => void }).unref?.(); // Node/Deno: an idle port must not keep the process alive
      channel = c;
    }
    const c = channel;
    return new Promise((r) => {
      c.waiting.push(r);
      c.port.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
