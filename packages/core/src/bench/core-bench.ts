import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { initBackend } from '../backend/init-backend.js';
import { createBackbone } from '../models/registry.js';
import { ensureGradients } from '../train/gradients.js';
import { isNode } from '../platform/env.js';
import '../platform/node-install.js';
import { nodeRequire } from '../platform/node-require.js';
import { countFlops } from './flops.js';
import { gatherLinear, gatherLinearComposite } from '../ops/gather-linear.js';
import { writeBenchResults } from './results.js';
import { runBenchmark, type BenchRecord } from './run-benchmark.js';

/**
 * @sr/core's benchmarks (issue 12): a 3×3 conv 64→64, the EDSR-baseline and RDN encoders, and one
 * Adam training step of a small EDSR, per backend configuration. Each configuration runs in its own
 * Node process (a WASM thread count can only be chosen before WASM first initialises), and the
 * results go to `bench/results/core.{json,md}`.
 *
 *   npm run build && node dist/bench/core-bench.js [--configs cpu,wasm,wasm-threads,webgpu] [--quick]
 */

/** Backend configurations the benchmark knows. */
export type CoreBenchConfig = 'cpu' | 'wasm' | 'wasm-threads' | 'webgpu';

/** Options of {@link runCoreBenchmarks}. */
export interface CoreBenchOptions {
  /** Timed runs per benchmark (≥ 5 for published numbers). */
  runs: number;
  warmup: number;
  /** Side of the square conv/encoder inputs (128 in the issue). */
  size: number;
  /** LR patch side of the training step (48, as LIIF/EDSR training). */
  trainSize: number;
  /** Which benchmarks: conv, edsr, rdn, train, fused. */
  only: string[];
  /** Also run the encoders on the pure-JS CPU backend (minutes per run at 128²). */
  encodersOnCpu: boolean;
  /** Also run RDN on a software WebGPU adapter (minutes per run). */
  rdnOnSoftwareGpu: boolean;
  log: (line: string) => void;
}

const DEFAULTS: CoreBenchOptions = {
  runs: 5,
  warmup: 1,
  size: 128,
  trainSize: 48,
  only: ['conv', 'edsr', 'rdn', 'train', 'fused'],
  encodersOnCpu: false,
  rdnOnSoftwareGpu: false,
  log: (l) => console.log(l),
};

async function activate(config: CoreBenchConfig): Promise<{ backend: string; detail?: string; software: boolean }> {
  if (config === 'wasm-threads') {
    const cores = isNode() ? (nodeRequire('os') as typeof import('os')).cpus().length : 1;
    const threads = Math.max(2, Math.min(8, cores));
    await initBackend('wasm', { wasmThreads: threads });
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount(): number };
    return { backend: 'wasm', detail: `${wasm.getThreadsCount()} threads`, software: false };
  }
  const report = await initBackend(config);
  const detail = config === 'wasm' ? '1 thread' : report.adapter ? report.adapter.description || report.adapter.vendor : undefined;
  return { backend: report.backend, detail, software: report.adapter?.software ?? false };
}

/**
 * Runs the core benchmarks on one backend configuration (in this process) and returns the records.
 * Benchmarks that would take minutes per run on slow backends are skipped unless asked for.
 */
export async function runCoreBenchmarks(config: CoreBenchConfig, options: Partial<CoreBenchOptions> = {}): Promise<BenchRecord[]> {
  const o = { ...DEFAULTS, ...options };
  const { backend, detail, software } = await activate(config);
  const label = detail ? `${backend} (${detail})` : backend;
  const records: BenchRecord[] = [];
  const common = { backend, backendDetail: detail, runs: o.runs, warmup: o.warmup };
  const S = o.size;
  const done = (r: BenchRecord) => {
    records.push(r);
    o.log(`  ${r.name} [${label}]: median ${r.medianMs.toFixed(1)} ms${r.gflops ? `, ${r.gflops.toFixed(2)} GFLOP/s` : ''}`);
  };

  if (o.only.includes('conv'))
    done(
      await runBenchmark({
        ...common,
        name: 'conv3x3 64→64',
        model: 'conv2d 3×3 64→64',
        inputSize: [S, S],
        flops: 2 * S * S * 64 * 64 * 9,
        setup: () => ({ x: tf.randomNormal([1, S, S, 64]) as tf.Tensor4D, w: tf.randomNormal([3, 3, 64, 64], 0, 0.05) as tf.Tensor4D }),
        run: ({ x, w }) => tf.conv2d(x, w, 1, 'same'),
        teardown: ({ x, w }) => tf.dispose([x, w]),
      }),
    );

  for (const name of ['edsr', 'rdn'] as const) {
    if (!o.only.includes(name)) continue;
    const model = name === 'edsr' ? 'edsr-baseline' : 'rdn';
    if (backend === 'cpu' && !o.encodersOnCpu) {
      o.log(`  ${model} encoder [${label}]: skipped (pure-JS CPU needs minutes per run; --encoders-on-cpu)`);
      continue;
    }
    if (name === 'rdn' && software && !o.rdnOnSoftwareGpu) {
      o.log(`  rdn encoder [${label}]: skipped on a software WebGPU adapter (--rdn-on-software-gpu)`);
      continue;
    }
    const net = createBackbone(model);
    const flops = countFlops(net, [1, S, S, 3], (x) => net.encode(x as tf.Tensor4D)).flops;
    done(
      await runBenchmark({
        ...common,
        name: `${model} encoder`,
        model: name === 'edsr' ? 'EDSR-baseline (16×64) encoder' : 'RDN (B: 16×8×64) encoder',
        inputSize: [S, S],
        flops,
        setup: () => tf.randomUniform([1, S, S, 3]) as tf.Tensor4D,
        run: (x) => net.encode(x),
        teardown: (x) => x.dispose(),
      }),
    );
    net.dispose();
  }

  if (o.only.includes('fused')) {
    // The first layer of LIIF's query MLP for one decode chunk of a ×4 upscale of an S² input: 4
    // neighbours × 4096 queries rows of 256 = gather of the projected features + rel·W (R = 4: coord,
    // cell) + bias + ReLU, as separate tfjs ops and as the fused SrGatherLinear kernel.
    const [n, c, r, m] = [S * S + 1, 256, 4, 4 * 4096];
    const flops = m * c * (2 * r + 2);
    for (const fused of [false, true])
      done(
        await runBenchmark({
          ...common,
          name: fused ? 'query layer 1, fused (SrGatherLinear)' : 'query layer 1, separate ops',
          model: `gather ${m} of ${n} rows × ${c} + rel[${r}]·W + b, ReLU`,
          inputSize: [S, S],
          flops,
          notes: 'memory-bound: the FLOPs are few; the fused kernel writes one [M, C] tensor instead of four',
          setup: () => ({
            table: tf.randomNormal([n, c]) as tf.Tensor2D,
            index: tf.randomUniform([m], 0, n, 'int32') as tf.Tensor1D,
            rel: tf.randomUniform([m, r], -1, 1) as tf.Tensor2D,
            w: tf.randomNormal([r, c]) as tf.Tensor2D,
            b: tf.randomNormal([c]) as tf.Tensor1D,
          }),
          run: ({ table, index, rel, w, b }) => (fused ? gatherLinear : gatherLinearComposite)(table, index, rel, w, b, 'relu'),
          teardown: (t) => tf.dispose(Object.values(t)),
        }),
      );
  }

  if (o.only.includes('train')) {
    await ensureGradients();
    const P = o.trainSize;
    const net = createBackbone('edsr-baseline', { nResblocks: 4, nFeats: 32, scale: 2, noUpsampling: false });
    // Forward + backward ≈ 3 forwards (one for the activations' gradients, one for the weights').
    const flops = 3 * countFlops(net, [1, P, P, 3]).flops;
    const opt = tf.train.adam(1e-4);
    const vars = net.trainableVariables();
    done(
      await runBenchmark({
        ...common,
        name: 'train step (Adam, L1)',
        model: 'EDSR 4×32 ×2',
        inputSize: [P, P],
        scale: 2,
        flops,
        notes: 'FLOPs = 3 × forward (forward, input gradients, weight gradients)',
        setup: () => ({ x: tf.randomUniform([1, P, P, 3]) as tf.Tensor4D, y: tf.randomUniform([1, 2 * P, 2 * P, 3]) as tf.Tensor4D }),
        run: ({ x, y }) => opt.minimize(() => tf.mean(tf.abs(tf.sub(net.forward(x), y))) as tf.Scalar, true, vars) ?? undefined,
        teardown: ({ x, y }) => tf.dispose([x, y]),
      }),
    );
    opt.dispose();
    net.dispose();
  }
  return records;
}

/** Runs every configuration in a child process and merges their records (Node only). */
async function runAll(configs: CoreBenchConfig[], passArgs: string[], log: (l: string) => void): Promise<BenchRecord[]> {
  const cp = nodeRequire('child_process') as typeof import('child_process');
  const fs = nodeRequire('fs') as typeof import('fs');
  const os = nodeRequire('os') as typeof import('os');
  const path = nodeRequire('path') as typeof import('path');
  const script = process.argv[1]!;
  const all: BenchRecord[] = [];
  for (const config of configs) {
    if (config === 'wasm-threads' && os.cpus().length < 2) {
      log(`${config}: skipped (1 CPU)`);
      continue;
    }
    const out = path.join(os.tmpdir(), `sr-core-bench-${process.pid}-${config}.json`);
    log(`${config}:`);
    const res = cp.spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', script, ...passArgs, '--child', config, '--child-out', out], { stdio: 'inherit' });
    if (res.status !== 0 || !fs.existsSync(out)) {
      log(`${config}: FAILED (exit ${res.status ?? res.signal}); its records are missing`);
      continue;
    }
    all.push(...(JSON.parse(fs.readFileSync(out, 'utf8')) as BenchRecord[]));
    fs.rmSync(out, { force: true });
  }
  return all;
}

/** CLI entry: `node dist/bench/core-bench.js --help`. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('core-bench')
    .description('@sr/core benchmarks → bench/results/core.{json,md}')
    .option('--configs <list>', 'backend configurations: cpu,wasm,wasm-threads,webgpu', 'cpu,wasm,wasm-threads,webgpu')
    .option('--only <list>', 'benchmarks: conv,edsr,rdn,train,fused', 'conv,edsr,rdn,train,fused')
    .option('--runs <n>', 'timed runs (≥ 5)', '5')
    .option('--warmup <n>', 'untimed warm-up runs', '1')
    .option('--size <n>', 'conv/encoder input side', '128')
    .option('--train-size <n>', 'training LR patch side', '48')
    .option('--quick', 'small sizes (64², 24² training patch) for a smoke test')
    .option('--encoders-on-cpu', 'also time the encoders on the pure-JS CPU backend (slow)')
    .option('--rdn-on-software-gpu', 'also time RDN on a software WebGPU adapter (slow)')
    .option('--out <dir>', 'results directory', 'bench/results')
    .option('--child <config>', '(internal) run one configuration in this process')
    .option('--child-out <file>', '(internal) where the child writes its records');
  cmd.parse(argv, { from: 'user' });
  const a = cmd.opts<Record<string, string | boolean | undefined>>();
  const opts: Partial<CoreBenchOptions> = {
    runs: Number(a.runs),
    warmup: Number(a.warmup),
    size: a.quick ? 64 : Number(a.size),
    trainSize: a.quick ? 24 : Number(a.trainSize),
    only: String(a.only).split(','),
    encodersOnCpu: !!a.encodersOnCpu,
    rdnOnSoftwareGpu: !!a.rdnOnSoftwareGpu,
  };
  if (a.child) {
    const records = await runCoreBenchmarks(a.child as CoreBenchConfig, opts);
    (nodeRequire('fs') as typeof import('fs')).writeFileSync(String(a.childOut), JSON.stringify(records));
    return 0;
  }
  const pass = argv.filter((_, i) => !['--configs', '--out'].includes(argv[i] ?? '') && !['--configs', '--out'].includes(argv[i - 1] ?? ''));
  const records = await runAll(String(a.configs).split(',') as CoreBenchConfig[], pass, (l) => console.log(l));
  const { json, markdown } = writeBenchResults('core', records, String(a.out));
  console.log(`wrote ${json} and ${markdown}`);
  return records.length ? 0 : 1;
}

if (isNode() && /core-bench\.(js|ts)$/.test(process.argv[1] ?? ''))
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
