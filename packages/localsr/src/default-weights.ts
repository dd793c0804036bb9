/**
 * The built-in weights (`weights/default.safetensors`, trained by `npm run train:builtin`), found from
 * the installed package in Node and loaded with the configuration stored in the file — the same
 * mechanism as `@sr/ciaosr`'s built-in weights. Browser-safe: `node:*` modules are imported lazily.
 * @module
 */
import { InputError, readSafetensors, type StateDict } from '@sr/core';
import type { ClsrOptions } from './clsr.js';

/** Where the built-in weights ship inside the package (relative to the package root). */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';
/** Environment variable that points the built-in weights at another file. */
export const DEFAULT_WEIGHTS_ENV = 'LOCALSR_DEFAULT_WEIGHTS';
/** `__metadata__` key holding the {@link ClsrOptions} the weights were trained with (JSON). */
export const LOCALSR_CONFIG_KEY = 'localsr_config';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/**
 * Path of the built-in weights (Node only; null when not found or not in Node): `$LOCALSR_DEFAULT_WEIGHTS`,
 * else beside the running `localsr` CLI, else `node_modules/@sr/localsr/…` or `packages/localsr/…`
 * from the working directory upwards.
 */
export async function findDefaultWeights(): Promise<string | null> {
  if (!inNode()) return null;
  const fs = await import('node:fs');
  const path = await import('node:path');
  const env = process.env[DEFAULT_WEIGHTS_ENV];
  if (env) {
    if (!fs.existsSync(env)) throw new InputError(`${DEFAULT_WEIGHTS_ENV}=${env}: file not found`, 'E_NO_WEIGHTS');
    return env;
  }
  const cands: string[] = [];
  const script = process.argv[1];
  if (script && /localsr/.test(script) && fs.existsSync(script)) cands.push(path.join(path.dirname(fs.realpathSync(script)), '..', DEFAULT_WEIGHTS_FILE));
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    cands.push(path.join(d, 'node_modules', '@sr', 'localsr', DEFAULT_WEIGHTS_FILE), path.join(d, 'packages', 'localsr', DEFAULT_WEIGHTS_FILE));
    if (path.basename(d) === 'localsr') cands.push(path.join(d, DEFAULT_WEIGHTS_FILE));
    if (path.dirname(d) === d) break;
  }
  return cands.find((p) => fs.existsSync(p)) ?? null;
}

/** Weights bytes → state dict and the stored configuration (an `InputError` when there is none). */
export function decodeDefaultWeights(bytes: Uint8Array, where = DEFAULT_WEIGHTS_FILE): { stateDict: StateDict; config: ClsrOptions } {
  const { stateDict, metadata } = readSafetensors(bytes);
  const raw = metadata?.[LOCALSR_CONFIG_KEY];
  if (!raw) throw new InputError(`${where} stores no LocalSR configuration (__metadata__.${LOCALSR_CONFIG_KEY})`, 'E_WEIGHTS_CONFIG');
  const config = JSON.parse(raw) as ClsrOptions;
  if ((config.backbone !== 'edsr' && config.backbone !== 'rrdb') || typeof config.backboneConfig !== 'object')
    throw new InputError(`${where}: not a LocalSR configuration: ${raw.slice(0, 200)}`, 'E_WEIGHTS_CONFIG');
  return { stateDict, config };
}

/** Loads the built-in weights (Node); throws `E_NO_WEIGHTS` with how to make them when they are not installed. */
export async function loadDefaultWeights(): Promise<{ file: string; stateDict: StateDict; config: ClsrOptions }> {
  const file = await findDefaultWeights();
  if (!file)
    throw new InputError(
      `the built-in LocalSR weights (${DEFAULT_WEIGHTS_FILE}) are not installed: train them with \`npm run train:builtin -w @sr/localsr\`, or pass weights`,
      'E_NO_WEIGHTS',
    );
  const fs = await import('node:fs');
  return { file, ...decodeDefaultWeights(new Uint8Array(fs.readFileSync(file)), file) };
}
