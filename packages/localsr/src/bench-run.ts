/** Executable wrapper of the benchmark: `node dist/bench-run.js [--quick] [--backend wasm] [--out file]`. */
import { main } from './bench.js';

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
