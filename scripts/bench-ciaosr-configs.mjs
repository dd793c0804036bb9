#!/usr/bin/env node
// Speed side of the built-in configuration frontier (issue #21 item 3, for the lead to choose with the
// quality side of issue #19): encoder + decoder time of candidate CiaoSR configurations and a LIIF head
// on the same EDSR-baseline encoder, random weights (time does not depend on values), ×4 of a 128²
// crop, default tiling, alternating configs per round, medians. Needs `npm run build`.
//
//   node scripts/bench-ciaosr-configs.mjs [--runs 2] [--size 128] [--scale 4] [--configs 0,1,2] [--out FILE]
// (--configs: indices into CONFIGS below; default all.)
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS, SHARED, machine, setup, writeJson } from './bench-peers/env.mjs';

const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    size: { type: 'string', default: '128' },
    scale: { type: 'string', default: '4' },
    configs: { type: 'string', default: '' },
    out: { type: 'string', default: path.join(RESULTS, 'ciaosr-configs.json') },
  },
});
const env = await setup();
const { tf, core, ciaosr } = env;
const n = Number(o.size);
const s = Number(o.scale);
// `built-in` is today's weights/default.json configuration.
const ALL = [
  { label: 'CiaoSR EDSR 32×8, head [32,32] (built-in)', feats: 32, blocks: 8, hidden: [32, 32] },
  { label: 'CiaoSR EDSR 32×8, head [64,64] (its parent)', feats: 32, blocks: 8, hidden: [64, 64] },
  { label: 'CiaoSR EDSR 32×8, head [128,128] (grandparent)', feats: 32, blocks: 8, hidden: [128, 128] },
  { label: 'CiaoSR EDSR 32×8, head [128]', feats: 32, blocks: 8, hidden: [128] },
  { label: 'CiaoSR EDSR 64×16, head [128,128]', feats: 64, blocks: 16, hidden: [128, 128] },
  { label: 'CiaoSR EDSR 64×16, head [256]×4 (paper)', feats: 64, blocks: 16, hidden: [256, 256, 256, 256] },
  { label: 'LIIF EDSR 32×8, MLP [128,128]', liif: true, feats: 32, blocks: 8, hidden: [128, 128] },
  { label: 'LIIF EDSR 64×16, MLP [256]×4 (paper)', liif: true, feats: 64, blocks: 16, hidden: [256, 256, 256, 256] },
];
const CONFIGS = o.configs ? o.configs.split(',').map((i) => ALL[Number(i)]) : ALL;
const img = core.toTrainImage(await core.readImage(path.join(SHARED, 'datasets/photos/astronaut.png')));
const lr = tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, (img.height - n) >> 1, (img.width - n) >> 1, 0], [1, n, n, 3]));
const runners = [];
for (const c of CONFIGS) {
  if (c.liif) {
    const model = core.createImplicitModel({
      name: 'liif',
      args: { encoder_spec: { name: 'edsr-baseline', args: { no_upsampling: true, n_feats: c.feats, n_resblocks: c.blocks } }, imnet_spec: { name: 'mlp', args: { out_dim: 3, hidden_list: c.hidden } } },
    });
    runners.push({ ...c, params: model.numParameters(), run: async (x) => { const y = model.upscale(x, s, { chunkSize: 30000 }); await y.data(); y.dispose(); }, dispose: () => model.dispose() });
  } else {
    const sr = await ciaosr.createUpscaler({ weights: 'random', backboneOptions: { feats: c.feats, blocks: c.blocks }, head: { hiddenList: c.hidden } });
    runners.push({ ...c, params: sr.model.numParameters(), run: async (x) => (await sr.upscale(x, { scale: s })).dispose(), dispose: () => sr.dispose() });
  }
}
const times = runners.map(() => []);
// Warm-up (kernel set-up, heap growth) on a 24² corner, then the timed rounds.
const small = tf.slice(lr, [0, 0, 0, 0], [1, 24, 24, 3]);
for (const r of runners) await r.run(small);
small.dispose();
for (let r = 0; r < Number(o.runs); r++)
  for (let i = 0; i < runners.length; i++) {
    const t0 = performance.now();
    await runners[i].run(lr);
    const t = (performance.now() - t0) / 1000;
    times[i].push(t);
    process.stderr.write(`${runners[i].label} run ${r + 1}: ${t.toFixed(2)} s\n`);
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rows = runners.map((r, i) => ({ label: r.label, params: r.params, medianS: +median(times[i]).toFixed(2), times: times[i].map((t) => +t.toFixed(2)) }));
runners.forEach((r) => r.dispose());
writeJson(o.out, { date: new Date().toISOString(), machine: machine(), backend: env.backend, threads: env.threads, job: `×${s} of ${n}²`, rows });
console.log(['| configuration | parameters | median (s) |', '|---|---|---|', ...rows.map((r) => `| ${r.label} | ${r.params.toLocaleString('en-US')} | ${r.medianS.toFixed(2)} |`)].join('\n'));
process.exit(0);
