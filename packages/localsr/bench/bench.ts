/**
 * CLSR benchmark (time and FLOPs, ours vs pre-crop vs post-crop; writes bench/results/localsr.json).
 * The code lives in src/bench.ts so that it is compiled with the package: run
 * `npm run build -w @sr/localsr && node packages/localsr/dist/bench-run.js` (or `npx tsx bench/bench.ts`).
 */
import { main } from '../src/bench.js';

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
