/**
 * Metrics benchmark (time per megapixel for each metric, CPU backend by default); results go to
 * `bench/results/metrics.json`. The code lives in `src/bench/metrics-bench.ts` so it is compiled with
 * the package: `npm run bench -w @sr/metrics` (after `npm run build`) runs it without tsx.
 */
import { main } from '../src/bench/metrics-bench.js';

main(process.argv.slice(2)).then((c) => (process.exitCode = c));
