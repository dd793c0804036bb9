/**
 * LAR-SR sampling benchmark: time vs patch size (1..4) and vs image size; writes
 * bench/results/lar-sr.json. The code lives in src/bench.ts so that it is compiled with the package:
 * run `npm run build -w @sr/lar-sr && node packages/lar-sr/dist/bench-run.js` (or `npx tsx bench/bench.ts`).
 */
import { main } from '../src/bench.js';

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
