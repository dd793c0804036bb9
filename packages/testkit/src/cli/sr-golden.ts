import { Command } from 'commander';
import { initBackend, type BackendName } from '@sr/core';
import { listCases } from '../golden/case.js';
import { formatResults, runGoldenCase } from '../golden/runner.js';

/**
 * `sr-golden <case-dir…> [--out dir] [--backend cpu]`: runs golden cases of ../shared/fixtures/golden
 * (a folder path or a case name; `--all PREFIX` runs every case with that prefix), prints the max abs
 * error of every output and exits non-zero when one exceeds the case's tolerance.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('sr-golden')
    .argument('[cases...]', 'case folders or names (e.g. ../shared/fixtures/golden/liif-edsr or liif-edsr)')
    .option('--out <dir>', 'write each output as <dir>/<case>/<name>.npy')
    .option('--backend <name>', 'tfjs backend: auto (fastest available), cpu, wasm, webgpu', 'auto')
    .option('--all <prefix>', 'run every case whose folder starts with this prefix ("" for all)')
    .option('--atol <x>', 'override the absolute tolerance (reduced-precision backends only)', parseFloat)
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const opts = program.opts<{ out?: string; backend: BackendName; all?: string; atol?: number }>();
  const cases = [...program.args, ...(opts.all !== undefined ? listCases(opts.all) : [])];
  if (!cases.length) {
    console.error('sr-golden: give case folders, or --all <prefix>');
    return 2;
  }
  const report = await initBackend(opts.backend);
  console.log(`backend: ${report.summary}`);
  let failed = 0;
  for (const c of cases) {
    try {
      const name = c.replace(/\/+$/, '').split('/').pop()!;
      const results = await runGoldenCase(c, { out: opts.out ? `${opts.out}/${name}` : undefined, atol: opts.atol });
      console.log(formatResults(name, results));
      failed += results.filter((r) => !r.pass).length;
    } catch (e) {
      failed++;
      console.log(`FAIL ${c}: ${(e as Error).message}`);
    }
  }
  console.log(failed ? `${failed} output(s) failed` : 'all outputs within tolerance');
  return failed ? 1 : 0;
}
