// Timing part of the peer benchmark: ×4 and ×2 of one 128² crop of a photo, every method in the same
// process, alternating method by method within each round (so drifting machine load hits all alike),
// one untimed warm-up each, medians over the rounds. A time is LR tensor in → output pixels on the
// host (the result's `data()` awaited), model loading excluded.
import * as path from 'node:path';
import { RESULTS, SHARED, machine, median, writeJson } from './env.mjs';
import { UPSCALERJS, loadCiaoSR, loadUpscalerJS } from './models.mjs';

export const TIMING_FILE = path.join(RESULTS, 'peers-timing.json');
export const TIMING_JOBS = [
  { scale: 4, size: 128 },
  { scale: 2, size: 128 },
];
const PHOTO = 'datasets/photos/astronaut.png';


export async function runTiming(env, { runs, methods, log }) {
  const { tf, core } = env;
  const img = core.toTrainImage(await core.readImage(path.join(SHARED, PHOTO)));
  const results = [];
  for (const { scale, size } of TIMING_JOBS) {
    // A centred crop: texture, not sky.
    const y0 = Math.floor((img.height - size) / 2);
    const x0 = Math.floor((img.width - size) / 2);
    const lr = tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, y0, x0, 0], [1, size, size, 3]));
    const models = [];
    for (const m of methods) models.push(m === 'ciaosr' ? await loadCiaoSR(env.ciaosr, tf) : await loadUpscalerJS(env.tfl, m, scale));
    const times = models.map(() => []);
    const cpu = models.map(() => []);
    // Wall time, and the process's CPU time (all WASM threads): on a busy shared machine the wall
    // time includes waiting for a core, the CPU time much less so.
    const once = async (m, i) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const out = await m.run(lr, size * scale, size * scale);
      await out.data();
      tf.dispose(out);
      const c = process.cpuUsage(c0);
      if (i !== undefined) cpu[i].push((c.user + c.system) / 1e6);
      return (performance.now() - t0) / 1000;
    };
    for (const m of models) await once(m); // warm-up: kernel set-up, first allocations
    for (let r = 0; r < runs; r++)
      for (let i = 0; i < models.length; i++) {
        times[i].push(await once(models[i], i));
        log?.(`timing ×${scale} ${size}² ${models[i].name} run ${r + 1}: ${times[i].at(-1).toFixed(2)} s`);
      }
    models.forEach((m, i) => results.push({ method: m.name, scale, size, params: m.params, median: +median(times[i]).toFixed(3), times: times[i].map((t) => +t.toFixed(3)), cpuMedian: +median(cpu[i]).toFixed(3) }));
    models.forEach((m) => m.dispose());
    tf.dispose(lr);
  }
  const doc = { date: new Date().toISOString(), machine: machine(), backend: env.backend, threads: env.threads, runs, photo: PHOTO, results };
  writeJson(TIMING_FILE, doc);
  return doc;
}
