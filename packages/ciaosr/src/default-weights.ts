import { InputError, findShippedWeights, loadShippedWeights, readWeightsFile, shippedFilePath, storedConfig, type CheckpointSource, type StateDict } from '@sr/core';
import type { TrainModelConfig } from './train.js';

/** Where the built-in weights ship inside the package (relative to the package root). */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';

/** The built-in sample image (a public-domain photo crop) the CLI upscales when given no input. */
export const SAMPLE_IMAGE_FILE = 'assets/sample.png';

/** Environment variable that points the built-in weights at another file (tests, custom installs). */
export const DEFAULT_WEIGHTS_ENV = 'CIAOSR_DEFAULT_WEIGHTS';

/** `__metadata__` key of a `.safetensors` checkpoint holding its {@link TrainModelConfig} as JSON. */
export const CONFIG_METADATA_KEY = 'ciaosr_config';

/**
 * The configuration `npm run train:default` trains from scratch: a small EDSR-baseline encoder (32
 * channels, 8 residual blocks, instead of the paper's 64 × 16) and a CiaoSR head with two hidden layers
 * of 128 (paper: four of 256), sized so that an hour of CPU training makes progress. The shipped
 * weights are this model trained further, its head then pruned to [64, 64] and to [32, 32], with
 * fine-tuning after each pruning (MODEL_CARD.md). Loading never assumes it: the model is always built from the configuration stored
 * with the weights ({@link readWeightsWithConfig}).
 */
export const DEFAULT_MODEL_CONFIG: Readonly<TrainModelConfig> = Object.freeze({ backbone: 'edsr-baseline', feats: 32, blocks: 8, hidden: [128, 128] });

/** How to produce the built-in weights, quoted in the missing-weights errors. */
export const TRAIN_DEFAULT_HINT = 'train them with `npm run train:default -w @sr/ciaosr` (see packages/ciaosr/MODEL_CARD.md)';

/**
 * URL of the built-in weights inside the installed package: a `file:` URL in Node (found from the
 * package, whatever the working directory); in apps built with Vite or webpack 5 (or Rollup with an
 * `import.meta` asset plugin) the URL of the asset they emit from this very expression. esbuild emits
 * no such asset: there copy `@sr/ciaosr/weights/default.safetensors` next to the page and pass
 * `{ weights: 'default.safetensors' }` (see docs/guides/browser-demo.md).
 */
export function defaultWeightsUrl(): URL {
  return new URL('../weights/default.safetensors', import.meta.url);
}

/**
 * Path of a file shipped inside the package (e.g. {@link SAMPLE_IMAGE_FILE}) when it exists, Node
 * only, else null. Resolved from the package itself, not the working directory.
 */
export async function findPackageFile(rel: string): Promise<string | null> {
  return shippedFilePath(new URL(`../${rel}`, defaultWeightsUrl()));
}

/**
 * Path of the built-in default weights when they are installed (Node only), else null. The
 * `CIAOSR_DEFAULT_WEIGHTS` environment variable overrides the search (it must name an existing file).
 */
export async function findDefaultWeights(): Promise<string | null> {
  return findShippedWeights({ url: defaultWeightsUrl(), envVar: DEFAULT_WEIGHTS_ENV });
}

/** Checks a parsed configuration so a corrupt file fails with a clear message, not a shape error. */
export function parseModelConfig(raw: unknown, where: string): TrainModelConfig {
  const c = raw as Partial<TrainModelConfig> | null;
  const ok =
    !!c &&
    typeof c.backbone === 'string' &&
    Number.isInteger(c.feats) &&
    Number.isInteger(c.blocks) &&
    Array.isArray(c.hidden) &&
    c.hidden.length > 0 &&
    c.hidden.every((h) => Number.isInteger(h) && h > 0);
  if (!ok) throw new InputError(`${where}: not a CiaoSR model configuration ({ backbone, feats, blocks, hidden }): ${JSON.stringify(raw)}`, 'E_WEIGHTS_CONFIG');
  return { backbone: c.backbone!, feats: c.feats!, blocks: c.blocks!, hidden: [...c.hidden!] };
}

/** A checkpoint with the model configuration it was trained with (null when it stores none). */
export interface WeightsWithConfig {
  stateDict: StateDict;
  config: TrainModelConfig | null;
  /** The safetensors `__metadata__` (strings), when present. */
  metadata: Record<string, string>;
}

/**
 * Reads weights (a Node path, a URL, bytes or a Blob) and the model configuration stored with them, in
 * this order: the safetensors `__metadata__.ciaosr_config` (written by `ciaosr train` and
 * `train:default`), then, for Node files, the sidecar `<file>.json` of `ciaosr train` (`{ config }`)
 * or `<dir>/<stem>.json` (`{ config }`, the built-in `weights/default.json`). Other formats (`.pth`)
 * load with `config: null`.
 */
export async function readWeightsWithConfig(source: CheckpointSource): Promise<WeightsWithConfig> {
  const w = await readWeightsFile(source);
  return { stateDict: w.stateDict, metadata: w.metadata, config: storedConfig(w, CONFIG_METADATA_KEY, parseModelConfig) };
}

/**
 * Loads the built-in default weights and their stored configuration: `CIAOSR_DEFAULT_WEIGHTS` when set
 * (Node), else {@link defaultWeightsUrl} (the file shipped in the package) — core's
 * `loadShippedWeights`, as for the other packages' built-in weights. Throws an `InputError`
 * (`E_NO_WEIGHTS`) that says what to do when they cannot be read, and `E_WEIGHTS_CONFIG` when the
 * file carries no configuration (the model is never guessed).
 */
export async function loadDefaultWeights(): Promise<WeightsWithConfig & { file: string; config: TrainModelConfig }> {
  return loadShippedWeights({
    url: defaultWeightsUrl(),
    file: DEFAULT_WEIGHTS_FILE,
    envVar: DEFAULT_WEIGHTS_ENV,
    configKey: CONFIG_METADATA_KEY,
    parse: parseModelConfig,
    hint: `${TRAIN_DEFAULT_HINT}, or pass { weights: "ciaosr.pth" | "ciaosr.safetensors" } (an official CiaoSR checkpoint or one trained with \`ciaosr train\`)`,
  });
}
