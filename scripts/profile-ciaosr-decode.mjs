#!/usr/bin/env node
// Where the built-in CiaoSR's time goes (issue #21): stage times (encoder, non-local attention, gather
// maps, decode) and the decoder's kernels by time (tf.profile) for ×2, ×4 and ×8 of an n² crop,
// whole image as one tile (the default tile is 64). Needs `npm run build`.
//
//   node scripts/profile-ciaosr-decode.mjs [--size 64] [--scales 2,4,8] [--chunk 512] [--threads N] [--out FILE]  (chunk: the upscaler's default on wasm)
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS, SHARED, machine, setup, writeJson } from './bench-peers/env.mjs';

const { values: o } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    scales: { type: 'string', default: '2,4,8' },
    chunk: { type: 'string', default: '512' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    out: { type: 'string', default: path.join(RESULTS, 'ciaosr-decode-profile.json') },
  },
});
const env = await setup({ threads: Number(o.threads) });
const { tf, core, ciaosr } = env;
const n = Number(o.size);
const chunk = Number(o.chunk);
const sr = await ciaosr.createUpscaler();
const model = sr.model;
const img = core.toTrainImage(await core.readImage(path.join(SHARED, 'datasets/photos/astronaut.png')));
const raw = tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, (img.height - n) >> 1, (img.width - n) >> 1, 0], [1, n, n, 3]));
const lq = model.normalize(raw);
const sec = async (f) => {
  const t0 = performance.now();
  const r = f();
  await (Array.isArray(r) ? Promise.all(r.map((t) => t.data())) : r.data());
  return [r, (performance.now() - t0) / 1000];
};
const results = [];
for (const s of o.scales.split(',').map(Number)) {
  const H = n * s;
  const W = n * s;
  const [feat, tEnc] = await sec(() => model.encode(lq));
  const [nl, tNl] = await sec(() => model.head.nonLocal(feat));
  const t0 = performance.now();
  // As the upscaler does: logit tables from 3 queries per LR pixel on.
  const maps = model.head.prepare(feat, nl, lq, { logitTables: s * s >= 3 });
  await maps.valueProj.data();
  const tPrep = (performance.now() - t0) / 1000;
  const kernels = new Map();
  let tDec = 0;
  const Q = H * W;
  for (let start = 0; start < Q; start += chunk) {
    const end = Math.min(Q, start + chunk);
    const ys = Int32Array.from({ length: end - start }, (_, i) => Math.floor((start + i) / W));
    const xs = Int32Array.from({ length: end - start }, (_, i) => (start + i) % W);
    const t1 = performance.now();
    const qa = ciaosr.fillQueries({ geom: { h: n, w: n, H, W }, oy: 0, ox: 0, wh: n, ww: n, base: 0 }, ys, xs);
    const prof = await tf.profile(async () => {
      const y = model.head.decode(maps, qa, true);
      await y.data();
      y.dispose();
    });
    tDec += (performance.now() - t1) / 1000;
    // tf.profile lists op scopes (`fusedMatMul__op`) beside the kernels they run: count kernels only.
    for (const k of prof.kernels.filter((x) => !x.name.endsWith('__op'))) {
      const key = `${k.name} ${k.outputShapes.map((sh) => `[${sh.map((d) => (d === end - start ? 'Q' : d === 4 * (end - start) ? '4Q' : d)).join(',')}]`).join(' ')}`;
      kernels.set(key, (kernels.get(key) ?? 0) + k.kernelTimeMs / 1000);
    }
  }
  tf.dispose([feat, nl]);
  ciaosr.disposeMaps(maps);
  const top = [...kernels].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, t]) => ({ kernel: k, seconds: +t.toFixed(3) }));
  const row = { scale: s, lr: n, queries: Q, seconds: { encoder: +tEnc.toFixed(3), nonLocal: +tNl.toFixed(3), prepare: +tPrep.toFixed(3), decode: +tDec.toFixed(3) }, decodeKernels: top };
  results.push(row);
  console.log(JSON.stringify(row, null, 1));
}
writeJson(o.out, { date: new Date().toISOString(), machine: machine(), backend: env.backend, threads: env.threads, config: 'built-in weights (weights/default.json)', chunk, results });
process.exit(0);
