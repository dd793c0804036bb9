import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { initBackend, type BackendName } from '@sr/core';
import { listCases } from '../golden/case.js';
import { formatResults, runGoldenCase } from '../golden/runner.js';

/** `--atol` must be a finite number ≥ 0 (`parseFloat('abc')` is NaN, and `x ≤ NaN` is never false). */
function parseAtol(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError('expected a finite number ≥ 0.');
  return x;
}

/**
 * `sr-golden <case-dir…> [--out dir] [--backend cpu]`: runs golden cases of ../shared/fixtures/golden
 * (a folder path or a case name; `--all PREFIX` runs every case with that prefix), prints the max abs
 * error of every output and the time of every case, and returns the exit code: 0 when every output is
 * within the case's tolerance, 1 when one is not, a reference file is missing or a case cannot run,
 * 2 on a usage error (reported once, on stderr). `--help` prints the usage and returns 0.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('sr-golden')
    .description('Compare our outputs with the official PyTorch golden outputs (../shared/fixtures/golden).')
    .argument('[cases...]', 'case folders or names (e.g. ../shared/fixtures/golden/liif-edsr or liif-edsr)')
    .option('--out <dir>', 'write each output as <dir>/<case>/<name>.npy')
    .option('--backend <name>', 'tfjs backend: auto (fastest available), cpu, wasm, webgpu', 'auto')
    .option('--all <prefix>', 'run every case whose folder starts with this prefix ("" for all)')
    .option('--atol <x>', 'override the absolute tolerance (reduced-precision backends only)', parseAtol)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    // Commander has already printed the help (exit 0) or the one-line usage error (stderr).
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts<{ out?: string; backend: BackendName; all?: string; atol?: number }>();
  const cases = [...program.args, ...(opts.all !== undefined ? listCases(opts.all) : [])];
  if (!cases.length) {
    console.error('sr-golden: give case folders, or --all <prefix> (see --help)');
    return 2;
  }
  const report = await initBackend(opts.backend);
  console.log(`backend: ${report.summary}`);
  let failed = 0;
  for (const c of cases) {
    const t0 = performance.now();
    const name = c.replace(/\/+$/, '').split('/').pop()!;
    try {
      const results = await runGoldenCase(c, { out: opts.out ? `${opts.out}/${name}` : undefined, atol: opts.atol });
      console.log(formatResults(name, results));
      failed += results.filter((r) => !r.pass).length;
    } catch (e) {
      failed++;
      console.log(`FAIL ${c}: ${(e as Error).message}`);
    }
    console.log(`time ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(failed ? `${failed} output(s) failed` : 'all outputs within tolerance');
  return failed ? 1 : 0;
}
