#!/usr/bin/env node
// `npm run train:continue -w @sr/ciaosr [-- --threads 1 …]`: continues the built-in CiaoSR's training
// run from training/state.safetensors (see MODEL_CARD.md). The code is src/cli/train-continue.ts.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainContinueMain } from '../dist/cli/train-continue.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Exit explicitly: multi-threaded WASM workers can keep Node alive after the work is done.
process.exit(await trainContinueMain(process.argv.slice(2), packageDir));
