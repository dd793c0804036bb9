/**
 * The built-in ×4 weights (`weights/default.safetensors`, trained by `npm run train:builtin`), with the
 * {@link VSpMConfig} stored in the file's metadata (the prior's α/β and the interpolation mode cannot be
 * read from the tensors). Found from the installed package in Node, emitted as an asset by Vite and
 * webpack 5 — the same mechanism as `@sr/ciaosr`'s built-in weights (core's `loadShippedWeights`).
 * @module
 */
import { InputError, findShippedWeights, loadShippedWeights, type StateDict } from '@sr/core';
import type { VSpMConfig } from './vspm.js';

/** Where the built-in weights ship inside the package. */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';
/** Environment variable that points the built-in weights at another file. */
export const DEFAULT_WEIGHTS_ENV = 'VSPSR_DEFAULT_WEIGHTS';
/** `__metadata__` key holding the {@link VSpMConfig} (JSON). */
export const VSPSR_CONFIG_KEY = 'vspsr_config';

/** URL of the built-in weights inside the installed package (a `file:` URL in Node, an asset URL in bundled apps). */
export function defaultWeightsUrl(): URL {
  return new URL('../weights/default.safetensors', import.meta.url);
}

/** Path of the built-in weights (Node; null when not installed or in a browser): `$VSPSR_DEFAULT_WEIGHTS`, else the package's file. */
export async function findDefaultWeights(): Promise<string | null> {
  return findShippedWeights({ url: defaultWeightsUrl(), envVar: DEFAULT_WEIGHTS_ENV });
}

function parseConfig(raw: unknown, where: string): Partial<VSpMConfig> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${where}: not a VSpSR configuration: ${JSON.stringify(raw)}`, 'E_WEIGHTS_CONFIG');
  return raw as Partial<VSpMConfig>;
}

/** Loads the built-in weights and their stored configuration; `E_NO_WEIGHTS` says how to make them. */
export async function loadDefaultWeights(): Promise<{ file: string; stateDict: StateDict; config: Partial<VSpMConfig> }> {
  const { file, stateDict, config } = await loadShippedWeights({
    url: defaultWeightsUrl(),
    file: DEFAULT_WEIGHTS_FILE,
    envVar: DEFAULT_WEIGHTS_ENV,
    configKey: VSPSR_CONFIG_KEY,
    parse: parseConfig,
    hint: 'train them with `npm run train:builtin -w @sr/vspsr`, or pass weights',
  });
  return { file, stateDict, config };
}
