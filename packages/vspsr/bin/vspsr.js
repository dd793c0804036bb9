#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import { main } from '../dist/cli/vspsr.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code ?? 0; }, (err) => { console.error(`vspsr: ${err instanceof Error ? err.message : err}`); process.exitCode = 1; });
