// Quality part of the peer benchmark: every method on every image of Set5/Set14 at each scale,
// Y-PSNR and Y-SSIM with a border crop of `scale` (BasicSR), LPIPS-alex on RGB, all from @sr/metrics.
// LR = MATLAB bicubic of the mod-cropped HR (core's imresize), rounded to 8 bits as LR PNGs are;
// every output is rounded to 8 bits as a saved image is. Results are cached per
// (method, set, image, scale) in bench/results/peers-quality.json after each image, so a killed run
// resumes where it stopped.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESULTS, ROOT, SHARED, readJson, writeJson } from './env.mjs';
import { UPSCALERJS, bicubic, loadCiaoSR, loadUpscalerJS, to8bit } from './models.mjs';

export const QUALITY_FILE = path.join(RESULTS, 'peers-quality.json');

/**
 * Identity of the built-in CiaoSR weights (first 12 hex digits of the file's SHA-256): cached
 * CiaoSR rows made with other weights are stale and run again.
 */
export function ciaosrWeightsId() {
  const file = path.join(ROOT, 'packages/ciaosr/weights/default.safetensors');
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 12);
}

/** Scales the UpscalerJS packages ship (×8 too, but that is out of this comparison). */
const PEER_SCALES = [2, 3, 4];

/** Reads an HR image, mod-crops it to the scale, and makes the 8-bit MATLAB-bicubic LR. */
async function pair(env, file, scale) {
  const { tf, core } = env;
  const img = core.toTrainImage(await core.readImage(file));
  const H = img.height - (img.height % scale);
  const W = img.width - (img.width % scale);
  return tf.tidy(() => {
    const hr = tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, 0, 0, 0], [1, H, W, 3]);
    const lr = to8bit(tf, env.core.imresize(hr, { height: H / scale, width: W / scale }));
    return { hr, lr, H, W };
  });
}

async function score(env, out, hr, crop, lpips) {
  const { tf, metrics } = env;
  const a = tf.squeeze(out, [0]);
  const b = tf.squeeze(hr, [0]);
  try {
    return {
      psnr: await metrics.psnr(a, b, { cropBorder: crop, yChannel: true }),
      ssim: await metrics.ssim(a, b, { cropBorder: crop, yChannel: true }),
      lpips: lpips ? await lpips.distance(a, b) : null,
    };
  } finally {
    tf.dispose([a, b]);
  }
}

/** Our methods: the built-in CiaoSR (`ciaosr`) and its tile variants (`ciaosr-tile32`, …); their rows depend on the weights. */
export const isOwnMethod = (m) => m === 'ciaosr' || m.startsWith('ciaosr-tile');

/** The tile of an own method (`ciaosr-tile32` → 32), undefined for the default `ciaosr`. */
const ownTile = (m) => (m === 'ciaosr' ? undefined : Number(m.slice('ciaosr-tile'.length)));

/**
 * Runs what is not cached yet. `methods` ⊆ ['bicubic','ciaosr', ...UPSCALERJS]; peers run only at
 * ×2/×3/×4. Order: set by set, scale by scale, so a partial run has whole tables early.
 */
export async function runQuality(env, { sets, scales, methods, lpipsOn = true, log }) {
  const { tf, metrics } = env;
  const cache = readJson(QUALITY_FILE, { rows: {} });
  const weightsId = ciaosrWeightsId();
  const fresh = (row) => row && (!isOwnMethod(row.method) || row.weights === weightsId);
  const lpips = lpipsOn
    ? await metrics.createLpips({ net: 'alex', backboneWeights: path.join(SHARED, 'weights/torchvision/alexnet-features.pth'), linWeights: path.join(SHARED, 'weights/lpips/v0.1/alex.pth') })
    : null;
  const loaded = new Map();
  const get = async (m, s) => {
    const key = UPSCALERJS.includes(m) ? `${m}@${s}` : m;
    if (!loaded.has(key)) {
      // One UpscalerJS model (29 MB for thick) at a time.
      for (const [k, v] of loaded) if (k.includes('@')) (v.dispose(), loaded.delete(k));
      loaded.set(key, isOwnMethod(m) ? await loadCiaoSR(env.ciaosr, tf, { tile: ownTile(m) }) : m === 'bicubic' ? bicubic(env.core, tf) : await loadUpscalerJS(env.tfl, m, s));
    }
    return loaded.get(key);
  };
  for (const set of sets) {
    const dir = path.join(SHARED, 'datasets', set);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    for (const scale of scales)
      for (const method of methods) {
        if (UPSCALERJS.includes(method) && !PEER_SCALES.includes(scale)) continue;
        for (const f of files) {
          const key = `${method}|${set}|${f}|${scale}`;
          if (fresh(cache.rows[key])) continue;
          const model = await get(method, scale);
          const { hr, lr, H, W } = await pair(env, path.join(dir, f), scale);
          const t0 = performance.now();
          const raw = await model.run(lr, H, W);
          const seconds = (performance.now() - t0) / 1000;
          const out = to8bit(tf, raw);
          if (out.shape[1] !== H || out.shape[2] !== W) throw new Error(`${method} ×${scale} on ${f}: output ${out.shape} for HR ${H}×${W}`);
          const s = await score(env, out, hr, scale, lpips);
          tf.dispose([hr, lr, raw, out]);
          cache.rows[key] = { method, set, image: f, scale, ...s, seconds: +seconds.toFixed(3), lr: [H / scale, W / scale], ...(isOwnMethod(method) ? { weights: weightsId } : {}) };
          cache.backend = env.backend;
          // Merge with what is on disk: several runs (e.g. one per method) may share the cache.
          cache.rows = { ...readJson(QUALITY_FILE, { rows: {} }).rows, ...cache.rows };
          cache.ciaosrWeights = weightsId;
          writeJson(QUALITY_FILE, cache);
          log?.(`${key}: ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}, LPIPS ${s.lpips?.toFixed(4)}, ${seconds.toFixed(1)} s (tensors ${tf.memory().numTensors})`);
        }
      }
  }
  for (const v of loaded.values()) v.dispose();
  lpips?.dispose?.();
  return cache;
}
