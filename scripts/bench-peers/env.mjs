// Shared set-up of the peer benchmark: one tfjs-core for @sr and the UpscalerJS layers models, the
// WASM backend with one thread per available core, and the machine description stated with results.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = path.join(ROOT, 'bench/results');
export const SHARED = path.resolve(ROOT, '../shared');

/** CPU model (from /proc/cpuinfo where present), cores, Node and load at start. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {}
  return { cpu, cores: os.availableParallelism(), memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg().map((x) => +x.toFixed(2)) };
}

/** Loads tfjs (layers), @sr/core, @sr/metrics and @sr/ciaosr and initialises WASM with `threads` threads. */
export async function setup({ backend = 'wasm', threads = os.availableParallelism() } = {}) {
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs');
  const core = await import('@sr/core');
  const metrics = await import('@sr/metrics');
  const ciaosr = await import('@sr/ciaosr');
  const report = await core.initBackend(backend, { wasmThreads: threads });
  if (tfl.getBackend() !== tf.getBackend()) throw new Error('@tensorflow/tfjs and @tensorflow/tfjs-core are different copies');
  return { tf, tfl, core, metrics, ciaosr, backend: report.summary, threads: backend === 'wasm' ? threads : null };
}

/** Median of a list of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Reads a JSON file or returns `fallback`. */
export const readJson = (file, fallback) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback);

/** Writes JSON atomically (a resumable run may be killed at any moment). */
export function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
