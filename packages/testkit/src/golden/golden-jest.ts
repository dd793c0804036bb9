import { describeBackends } from '../backends.js';
import { listCases } from './case.js';
import { formatResults, runGoldenCase } from './runner.js';

/**
 * Declares one jest test per golden case whose folder starts with `prefix`, run through the same
 * runner as `npx sr-golden`. Fails loudly if no case matches (missing fixtures never pass).
 */
export function goldenTests(prefix: string | RegExp, opts: { atol?: number } = {}): void {
  const cases = listCases(prefix);
  test(`golden cases matching ${prefix} exist`, () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    test(`golden ${name}`, async () => {
      const results = await runGoldenCase(name, opts);
      const text = formatResults(name, results);
      console.log(text);
      expect(results.length).toBeGreaterThan(0);
      const bad = results.filter((r) => !r.pass);
      if (bad.length) throw new Error(`golden parity failed:\n${text}`);
    });
  }
}

/**
 * Which package's golden test runs which cases of `../shared/fixtures/golden` (folder-name patterns).
 * Every case folder must match exactly one suite; testkit's own test checks it, so a new case can not
 * go untested.
 */
export const GOLDEN_SUITES = {
  ciaosr: /^ciaosr-/,
  coreBackbones: /^(edsr|rdn|rrdbnet)-/,
  coreLiif: /^(liif|lte)-/,
  larSr: /^larsr_/,
  refvae: /^refvae_/,
  vspsr: /^vspsr_/,
} as const;

/**
 * The golden parity tests of one suite on every test backend (cpu, wasm and webgpu; issue #20: VSpSR
 * crashed on wasm while cpu and webgpu passed): `describe('golden [backend]')` blocks of
 * {@link goldenTests}, with an optional setup.
 */
export function describeGolden(suite: keyof typeof GOLDEN_SUITES, setup?: () => void | Promise<void>): void {
  describeBackends(
    'golden',
    () => {
      if (setup) beforeAll(setup);
      goldenTests(GOLDEN_SUITES[suite]);
    },
  );
}
