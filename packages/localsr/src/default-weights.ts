/**
 * The built-in weights (`weights/default.safetensors`, trained by `npm run train:builtin`), loaded with
 * the configuration stored in the file. Found from the installed package in Node, emitted as an asset
 * by Vite and webpack 5 — the same mechanism as `@sr/ciaosr`'s built-in weights (core's
 * `loadShippedWeights`).
 * @module
 */
import { InputError, findShippedWeights, loadShippedWeights, readSafetensors, type StateDict } from '@sr/core';
import type { ClsrOptions } from './clsr.js';

/** Where the built-in weights ship inside the package (relative to the package root). */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';
/** Environment variable that points the built-in weights at another file. */
export const DEFAULT_WEIGHTS_ENV = 'LOCALSR_DEFAULT_WEIGHTS';
/** `__metadata__` key holding the {@link ClsrOptions} the weights were trained with (JSON). */
export const LOCALSR_CONFIG_KEY = 'localsr_config';

/** URL of the built-in weights inside the installed package (a `file:` URL in Node, an asset URL in bundled apps). */
export function defaultWeightsUrl(): URL {
  return new URL('../weights/default.safetensors', import.meta.url);
}

/** Path of the built-in weights (Node; null when not installed or in a browser): `$LOCALSR_DEFAULT_WEIGHTS`, else the package's file. */
export async function findDefaultWeights(): Promise<string | null> {
  return findShippedWeights({ url: defaultWeightsUrl(), envVar: DEFAULT_WEIGHTS_ENV });
}

function parseConfig(raw: unknown, where: string): ClsrOptions {
  const config = raw as ClsrOptions | null;
  if (!config || (config.backbone !== 'edsr' && config.backbone !== 'rrdb') || typeof config.backboneConfig !== 'object')
    throw new InputError(`${where}: not a LocalSR configuration: ${JSON.stringify(raw).slice(0, 200)}`, 'E_WEIGHTS_CONFIG');
  return config;
}

/** Weights bytes → state dict and the stored configuration (an `InputError` when there is none). */
export function decodeDefaultWeights(bytes: Uint8Array, where = DEFAULT_WEIGHTS_FILE): { stateDict: StateDict; config: ClsrOptions } {
  const { stateDict, metadata } = readSafetensors(bytes);
  const raw = metadata?.[LOCALSR_CONFIG_KEY];
  if (!raw) throw new InputError(`${where} stores no LocalSR configuration (__metadata__.${LOCALSR_CONFIG_KEY})`, 'E_WEIGHTS_CONFIG');
  return { stateDict, config: parseConfig(JSON.parse(raw), where) };
}

/** Loads the built-in weights; throws `E_NO_WEIGHTS` with how to make them when they are not installed. */
export async function loadDefaultWeights(): Promise<{ file: string; stateDict: StateDict; config: ClsrOptions }> {
  const { file, stateDict, config } = await loadShippedWeights({
    url: defaultWeightsUrl(),
    file: DEFAULT_WEIGHTS_FILE,
    envVar: DEFAULT_WEIGHTS_ENV,
    configKey: LOCALSR_CONFIG_KEY,
    parse: parseConfig,
    hint: 'train them with `npm run train:builtin -w @sr/localsr`, or pass weights',
  });
  return { file, stateDict, config };
}
