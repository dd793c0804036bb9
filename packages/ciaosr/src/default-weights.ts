import { InputError, readCheckpoint, readSafetensors, type StateDict } from '@sr/core';
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
 * The configuration the built-in weights are trained with (`npm run train:default`): a small
 * EDSR-baseline encoder (32 channels, 8 residual blocks, instead of the paper's 64 × 16) and a CiaoSR
 * head with two hidden layers of 128 (paper: four of 256), sized so that an hour of CPU training
 * makes progress. It is documentation only: loading always uses the configuration stored with the
 * weights ({@link readWeightsWithConfig}).
 */
export const DEFAULT_MODEL_CONFIG: Readonly<TrainModelConfig> = Object.freeze({ backbone: 'edsr-baseline', feats: 32, blocks: 8, hidden: [128, 128] });

/** How to produce the built-in weights, quoted in the missing-weights errors. */
export const TRAIN_DEFAULT_HINT = 'train them with `npm run train:default -w @sr/ciaosr` (see packages/ciaosr/MODEL_CARD.md)';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/**
 * Path of a file shipped inside the package (e.g. {@link DEFAULT_WEIGHTS_FILE}), Node only, else null:
 * looks beside the running `ciaosr` CLI script, then for `node_modules/@sr/ciaosr/<rel>` and
 * `packages/ciaosr/<rel>` (monorepo) from the working directory upwards. (No `import.meta`: the
 * library also runs as CommonJS under jest.)
 */
export async function findPackageFile(rel: string): Promise<string | null> {
  if (!inNode()) return null;
  const fs = await import('node:fs');
  const path = await import('node:path');
  const cands: string[] = [];
  const script = process.argv[1];
  if (script && /ciaosr/.test(script) && fs.existsSync(script)) cands.push(path.join(path.dirname(fs.realpathSync(script)), '..', rel));
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    cands.push(path.join(d, 'node_modules', '@sr', 'ciaosr', rel), path.join(d, 'packages', 'ciaosr', rel));
    if (path.basename(d) === 'ciaosr') cands.push(path.join(d, rel));
    if (path.dirname(d) === d) break;
  }
  return cands.find((p) => fs.existsSync(p)) ?? null;
}

/**
 * Path of the built-in default weights when they are installed (Node only), else null. The
 * `CIAOSR_DEFAULT_WEIGHTS` environment variable overrides the search (it must name an existing file).
 */
export async function findDefaultWeights(): Promise<string | null> {
  if (!inNode()) return null;
  const env = process.env[DEFAULT_WEIGHTS_ENV];
  if (env) {
    const fs = await import('node:fs');
    if (!fs.existsSync(env)) throw new InputError(`${DEFAULT_WEIGHTS_ENV}=${env}: file not found`, 'E_NO_WEIGHTS');
    return env;
  }
  return findPackageFile(DEFAULT_WEIGHTS_FILE);
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
 * Reads a checkpoint file and the model configuration stored with it, in this order: the
 * safetensors `__metadata__.ciaosr_config` (written by `ciaosr train` and `train:default`), the
 * sidecar `<file>.json` of `ciaosr train` (`{ config }`), or `<dir>/<stem>.json` (`{ config }`, the
 * built-in `weights/default.json`). Other formats (`.pth`) load with `config: null`.
 */
export async function readWeightsWithConfig(file: string): Promise<WeightsWithConfig> {
  const fs = await import('node:fs');
  if (!fs.existsSync(file)) throw new InputError(`weights file not found: ${file}`, 'E_NO_WEIGHTS');
  const bytes = new Uint8Array(fs.readFileSync(file));
  let stateDict: StateDict;
  let metadata: Record<string, string> = {};
  if (/\.safetensors$/i.test(file)) {
    const st = readSafetensors(bytes);
    stateDict = st.stateDict;
    metadata = st.metadata ?? {};
  } else stateDict = await readCheckpoint(bytes);
  let config: TrainModelConfig | null = null;
  if (metadata[CONFIG_METADATA_KEY]) config = parseModelConfig(JSON.parse(metadata[CONFIG_METADATA_KEY]), `${file} (__metadata__.${CONFIG_METADATA_KEY})`);
  else
    for (const side of [`${file}.json`, file.replace(/\.[^./\\]+$/, '.json')]) {
      if (side === file || !fs.existsSync(side)) continue;
      const json = JSON.parse(fs.readFileSync(side, 'utf8')) as { config?: unknown };
      if (json.config) {
        config = parseModelConfig(json.config, side);
        break;
      }
    }
  return { stateDict, config, metadata };
}

/**
 * Loads the built-in default weights and their stored configuration. Throws an `InputError`
 * (`E_NO_WEIGHTS`) that says how to train them when they are not installed, and
 * `E_WEIGHTS_CONFIG` when the file carries no configuration (the model is never guessed).
 */
export async function loadDefaultWeights(): Promise<WeightsWithConfig & { file: string; config: TrainModelConfig }> {
  const file = await findDefaultWeights();
  if (!file)
    throw new InputError(
      `no weights given and the built-in default weights (${DEFAULT_WEIGHTS_FILE}) are not installed: ${TRAIN_DEFAULT_HINT}, ` +
        'or pass { weights: "ciaosr.pth" | "ciaosr.safetensors" } (an official CiaoSR checkpoint or one trained with `ciaosr train`)',
      'E_NO_WEIGHTS',
    );
  const w = await readWeightsWithConfig(file);
  if (!w.config)
    throw new InputError(`${file} stores no model configuration (__metadata__.${CONFIG_METADATA_KEY} or a .json sidecar); ${TRAIN_DEFAULT_HINT}`, 'E_WEIGHTS_CONFIG');
  return { ...w, file, config: w.config };
}
