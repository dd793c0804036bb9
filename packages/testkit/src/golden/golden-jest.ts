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
