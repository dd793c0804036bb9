/**
 * @sr/core benchmarks. The runnable code lives in `src/bench/core-bench.ts` so that it compiles with
 * the package (no tsx needed): `npm run bench` (= build, then `node dist/bench/core-bench.js`), or
 * `node dist/bench/core-bench.js --help` for options (configs, sizes, runs). Results:
 * `bench/results/core.json` and `bench/results/core.md`.
 */
import { main } from '../src/bench/core-bench.js';

void main(process.argv.slice(2)).then((code) => process.exit(code));
