// The methods the peer benchmark compares, each behind one interface:
//   { name, scales, run(lr) → Promise<Tensor4D> }   lr and the result are [1,h,w,3] floats in [0,1].
// UpscalerJS models run exactly as `upscaler` runs them with no patchSize (whole image, one
// model.predict): input scaled to the model's inputRange, output clipped to its outputRange and
// mapped back to [0,1]; the custom layers of esrgan-thick are registered by the package's own
// `setup(tf)`. Weights are read from the installed packages' model.json files (no network).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** UpscalerJS model packages in this benchmark, smallest last. */
export const UPSCALERJS = ['esrgan-thick', 'esrgan-medium', 'esrgan-slim'];

/** Reads a tfjs layers-model (model.json + shards) from disk into ModelArtifacts. */
export function readArtifacts(modelJson) {
  const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const dir = path.dirname(modelJson);
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { modelTopology: json.modelTopology, format: json.format, weightSpecs, weightData };
}

/**
 * Loads `@upscalerjs/<pkg>` at one scale through its ModelDefinition (the package's `./<s>x` export).
 * @param tfl the `@tensorflow/tfjs` namespace (layers API; shares tfjs-core with @sr).
 */
export async function loadUpscalerJS(tfl, pkg, scale) {
  const mod = require(`@upscalerjs/${pkg}/${scale}x`);
  const def = mod.default ?? mod;
  if (def.scale !== scale) throw new Error(`@upscalerjs/${pkg}/${scale}x reports scale ${def.scale}`);
  def.setup?.(tfl);
  // The package's exports hide package.json: walk up from the entry to the package folder.
  let pkgDir = path.dirname(require.resolve(`@upscalerjs/${pkg}/${scale}x`));
  while (path.basename(pkgDir) !== pkg || !fs.existsSync(path.join(pkgDir, 'package.json'))) pkgDir = path.dirname(pkgDir);
  const model = await tfl.loadLayersModel(tfl.io.fromMemory(readArtifacts(path.join(pkgDir, def._internals.path))));
  const [, inMax] = def.inputRange ?? [0, 255];
  const [outMin, outMax] = def.outputRange ?? [0, 255];
  const params = model.countParams();
  return {
    name: pkg,
    scale,
    params,
    run: async (lr) =>
      tfl.tidy(() => {
        const y = model.predict(tfl.mul(lr, inMax));
        return tfl.div(tfl.clipByValue(y, outMin, outMax), outMax);
      }),
    dispose: () => {
      model.dispose();
      def.teardown?.(tfl);
    },
  };
}

/** The built-in CiaoSR (weights/default.safetensors) through its public API, at any scale. */
export async function loadCiaoSR(ciaosr, tf, { tile } = {}) {
  const sr = await ciaosr.createUpscaler();
  const params = sr.model.numParameters();
  return {
    name: tile ? `ciaosr-tile${tile}` : 'ciaosr',
    params,
    run: async (lr, H, W) => {
      const up = await sr.upscale(lr, { scale: { width: W, height: H }, ...(tile ? { tile } : {}) });
      try {
        return tf.tidy(() => tf.expandDims(up.toTensor(), 0));
      } finally {
        up.dispose();
      }
    },
    dispose: () => sr.dispose(),
  };
}

/** MATLAB-style bicubic (core's imresize), the baseline. */
export function bicubic(core, tf) {
  return { name: 'bicubic', params: 0, run: async (lr, H, W) => tf.tidy(() => tf.clipByValue(core.imresize(lr, { height: H, width: W }), 0, 1)), dispose: () => {} };
}

/** Rounds a [0,1] image to 8 bits, as every method's output is when saved. */
export const to8bit = (tf, x) => tf.tidy(() => tf.div(tf.round(tf.mul(tf.clipByValue(x, 0, 1), 255)), 255));
