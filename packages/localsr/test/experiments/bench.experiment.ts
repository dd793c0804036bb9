/** Runs the benchmark through jest (no build needed): `npx jest --testMatch '<rootDir>/test/experiments/bench.experiment.ts'`. */
import * as path from 'node:path';
import { main } from '../../src/bench.js';

it('benchmark', async () => {
  const args = (process.env.LSR_BENCH_ARGS ?? '').split(' ').filter(Boolean);
  expect(await main([...args, '--out', process.env.LSR_OUT ?? path.join(__dirname, '..', '..', 'bench', 'results', 'localsr.json')])).toBe(0);
});
