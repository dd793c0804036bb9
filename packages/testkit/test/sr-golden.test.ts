import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli/sr-golden.js';
import { GOLDEN_SUITES, goldenRoot, listCases } from '../src/index.js';

/** Runs the CLI in-process, capturing stdout (console.log) and stderr (console.error + commander's writes). */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('') };
  } finally {
    [log, error, stdout, stderr].forEach((s) => s.mockRestore());
  }
}

describe('sr-golden CLI', () => {
  test('--help prints the usage and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: sr-golden/);
    expect(r.out).toMatch(/--backend/);
  });

  test('an unknown option is one usage error, exit 2', async () => {
    const r = await run('--bogus', 'vspsr_cem');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual(["error: unknown option '--bogus'"]);
  });

  test.each(['abc', '-1', '', 'Infinity'])('--atol %p is a usage error, exit 2, one line', async (v) => {
    const r = await run('--atol', v, 'vspsr_cem');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/--atol/);
  });

  test('no case is a usage error', async () => {
    expect((await run()).code).toBe(2);
  });

  test('a passing case exits 0; an unknown case exits 1', async () => {
    const ok = await run('vspsr_cem', '--backend', 'cpu');
    expect(ok.out).toMatch(/all outputs within tolerance/);
    expect(ok.code).toBe(0);
    const bad = await run('no-such-case', '--backend', 'cpu');
    expect(bad.code).toBe(1);
  });

  test('a missing reference .npy fails the case (exit 1), naming the file', async () => {
    // A copy of vspsr_cem made of symlinks into the shared folder, without one reference output.
    const src = path.join(goldenRoot(), 'vspsr_cem');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-golden-'));
    const tmpCase = path.join(dir, 'vspsr_cem');
    fs.mkdirSync(tmpCase);
    try {
      for (const f of fs.readdirSync(src)) if (f !== 'cem_out.npy') fs.symlinkSync(path.join(src, f), path.join(tmpCase, f));
      const r = await run(tmpCase, '--backend', 'cpu');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAIL vspsr_cem\/cem_out: reference file cem_out\.npy is listed in case\.json but missing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('every golden case belongs to exactly one package suite (none goes untested)', () => {
  for (const name of listCases('')) {
    const suites = Object.entries(GOLDEN_SUITES).filter(([, re]) => re.test(name));
    expect([name, suites.length]).toEqual([name, 1]);
  }
});
