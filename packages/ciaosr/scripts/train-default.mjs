#!/usr/bin/env node
// `npm run train:default -w @sr/ciaosr [-- --minutes 55 …]`: trains weights/default.safetensors.
// The code is src/cli/train-default.ts (compiled to dist/ by `npm run build`, which the npm script runs first).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainDefaultMain } from '../dist/cli/train-default.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Exit explicitly: multi-threaded WASM workers keep Node alive after the work is done.
process.exit(await trainDefaultMain(process.argv.slice(2), packageDir));
