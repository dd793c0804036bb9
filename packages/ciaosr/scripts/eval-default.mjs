#!/usr/bin/env node
// `npm run eval:default -w @sr/ciaosr [-- --sets set5 --scales 4]`: the default weights vs bicubic on
// Set5/Set14 (PSNR-Y, SSIM-Y, LPIPS-alex). The code is src/cli/eval-default.ts (compiled to dist/).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalDefaultMain } from '../dist/cli/eval-default.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Exit explicitly: multi-threaded WASM workers keep Node alive after the work is done.
process.exit(await evalDefaultMain(process.argv.slice(2), packageDir));
