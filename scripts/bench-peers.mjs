#!/usr/bin/env node
// `npm run bench:peers` — the built-in CiaoSR against the JS super-resolution models a user would
// pick instead (issue #21): UpscalerJS esrgan-thick/-medium/-slim (tfjs layers models from their npm
// packages) and bicubic, in one Node process on one backend (WASM, one thread per core by default).
//
//   node scripts/bench-peers.mjs [quality] [timing] [websr] [report]   (default: all, in this order)
//     --sets set5,set14 --scales 2,3,4,6,8,12 --methods bicubic,ciaosr,esrgan-thick,esrgan-medium,esrgan-slim
//     --runs 3 --threads <cores> --no-lpips
//
// quality → bench/results/peers-quality.json (cached per method/image/scale; rerun to resume)
// timing  → bench/results/peers-timing.json (×4 and ×2 of a 128² crop, alternating, medians)
// report  → bench/results/peers.{json,md} and docs/figures/peers-quality-vs-time.svg
// websr   → bench/results/peers-websr.json: WebSR (WebGPU only) scored in headless Chromium by
//           scripts/bench-peers/websr-browser.mjs (a child process); skipped when its results exist
//           (--websr-again to redo) or when there is no Chromium (SR_CHROMIUM, default /usr/bin/chromium).
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS, ROOT, machine, readJson, setup } from './bench-peers/env.mjs';
import { UPSCALERJS } from './bench-peers/models.mjs';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sets: { type: 'string', default: 'set5,set14' },
    scales: { type: 'string', default: '2,3,4,6,8,12' },
    methods: { type: 'string', default: ['ciaosr', 'bicubic', ...UPSCALERJS].join(',') },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    backend: { type: 'string', default: 'wasm' },
    'no-lpips': { type: 'boolean', default: false },
    'websr-again': { type: 'boolean', default: false },
  },
});
const steps = positionals.length ? positionals : ['quality', 'timing', 'websr', 'report'];
const log = (s) => process.stderr.write(`[bench:peers ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const needsTf = steps.some((s) => s === 'quality' || s === 'timing');
const env = needsTf ? await setup({ backend: o.backend, threads: Number(o.threads) }) : null;
if (env) log(`backend ${env.backend}, threads ${env.threads}; ${JSON.stringify(machine())}`);
for (const step of steps) {
  if (step === 'quality') {
    const { runQuality } = await import('./bench-peers/quality.mjs');
    await runQuality(env, { sets: o.sets.split(','), scales: o.scales.split(',').map(Number), methods: o.methods.split(','), lpipsOn: !o['no-lpips'], log });
  } else if (step === 'timing') {
    const { runTiming } = await import('./bench-peers/timing.mjs');
    await runTiming(env, { runs: Number(o.runs), methods: o.methods.split(',').filter((m) => m !== 'bicubic'), log });
  } else if (step === 'websr') {
    const chromium = process.env.SR_CHROMIUM || '/usr/bin/chromium';
    const done = fs.existsSync(path.join(RESULTS, 'peers-websr.json')) && readJson(path.join(RESULTS, 'peers-websr.json'), {}).rows?.length > 0;
    if (done && !o['websr-again']) log('websr: results exist (bench/results/peers-websr.json); --websr-again to redo');
    else if (!fs.existsSync(chromium)) log(`websr: skipped, no Chromium at ${chromium} (apt-get install chromium, or set SR_CHROMIUM)`);
    else {
      const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/bench-peers/websr-browser.mjs'), '--sets', o.sets, '--chromium', chromium], { stdio: 'inherit' });
      if (res.status !== 0) log('websr: failed, see bench/results/peers-websr.json for why');
    }
  } else if (step === 'report') {
    const { writeReport } = await import('./bench-peers/report.mjs');
    writeReport({ log });
  } else throw new Error(`unknown step '${step}' (quality, timing, websr, report)`);
}
// Exit explicitly: nothing should keep Node alive, but a benchmark must never hang.
process.exit(0);
