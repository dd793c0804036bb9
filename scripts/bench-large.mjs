#!/usr/bin/env node
// Large-image check (issue #21 item 4): `ciaosr upscale` with its defaults (built-in weights, backend
// auto, tile 64, chunk 512 on wasm, WASM on every core) on a 1024² crop ×2 and a 512² crop ×4 of a training
// photo, each in a fresh process under /usr/bin/time for the peak RSS and CPU time. Targets: ≤ 3 min,
// ≤ 1.5 GB on a 2-core machine.
//
//   node scripts/bench-large.mjs [--jobs 1024x2,512x4] [--photo FILE] [--out FILE]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, RESULTS, SHARED, machine, writeJson } from './bench-peers/env.mjs';

const { values: o } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1024x2,512x4' },
    photo: { type: 'string', default: path.join(SHARED, 'datasets/train/wikimedia/049.png') },
    out: { type: 'string', default: path.join(RESULTS, 'large-images.json') },
    // Extra `ciaosr upscale` options, e.g. "--tile 32" (recorded in each row).
    args: { type: 'string', default: '' },
  },
});
const core = await import('@sr/core');
const src = await core.readImage(o.photo);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-large-'));
const extra = o.args.split(' ').filter(Boolean);
const rows = [];
try {
  for (const job of o.jobs.split(',')) {
    const [size, scale] = job.split('x').map(Number);
    if (src.width < size || src.height < size) throw new Error(`${o.photo} is smaller than ${size}²`);
    // Centre crop, written as the PNG the CLI reads.
    const y0 = (src.height - size) >> 1;
    const x0 = (src.width - size) >> 1;
    const c = src.channels;
    const data = new src.data.constructor(size * size * c);
    for (let y = 0; y < size; y++) data.set(src.data.subarray(((y0 + y) * src.width + x0) * c, ((y0 + y) * src.width + x0 + size) * c), y * size * c);
    const input = path.join(tmp, `in-${size}.png`);
    await core.writeImage(input, { ...src, data, width: size, height: size });
    const output = path.join(tmp, `out-${job}.png`);
    const t0 = performance.now();
    const res = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, path.join(ROOT, 'packages/ciaosr/bin/ciaosr.js'), 'upscale', input, '-o', output, '-s', String(scale), '-q', ...extra], { encoding: 'utf8', timeout: 30 * 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    // Last stderr line: peak RSS (KiB), user and system CPU seconds. CPU time is what a busy shared
    // machine cannot inflate much; on an idle machine wall ≈ CPU / threads.
    const [peakKiB, user, sys] = (/(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(res.stderr.trim()) ?? []).slice(1).map(Number);
    const row = { job: `×${scale} of ${size}²${extra.length ? ` (${extra.join(' ')})` : ''}`, seconds: +seconds.toFixed(1), cpuSeconds: +(user + sys).toFixed(1), threads: os.availableParallelism(), peakRssMiB: Math.round(peakKiB / 1024), status: res.status, ok: res.status === 0 && fs.existsSync(output), stderrTail: res.status === 0 ? undefined : res.stderr.slice(-500) };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
writeJson(o.out, { date: new Date().toISOString(), machine: machine(), photo: path.relative(SHARED, o.photo), rows });
process.exit(0);
