/**
 * The built-in ×4 weights (`weights/default.safetensors`, trained by `npm run train:builtin`), found
 * from the installed package in Node, with the {@link VSpMConfig} stored in the file's metadata (the
 * prior's α/β and the interpolation mode cannot be read from the tensors) — the same mechanism as
 * `@sr/ciaosr`'s built-in weights. Browser-safe: `node:*` modules are imported lazily.
 * @module
 */
import { InputError, readSafetensors, type StateDict } from '@sr/core';
import type { VSpMConfig } from './vspm.js';

/** Where the built-in weights ship inside the package. */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';
/** Environment variable that points the built-in weights at another file. */
export const DEFAULT_WEIGHTS_ENV = 'VSPSR_DEFAULT_WEIGHTS';
/** `__metadata__` key holding the {@link VSpMConfig} (JSON). */
export const VSPSR_CONFIG_KEY = 'vspsr_config';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/** Path of the built-in weights (Node; null when not found): `$VSPSR_DEFAULT_WEIGHTS`, beside the CLI, or up from the working directory. */
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
  if (script && /vspsr/.test(script) && fs.existsSync(script)) cands.push(path.join(path.dirname(fs.realpathSync(script)), '..', DEFAULT_WEIGHTS_FILE));
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    cands.push(path.join(d, 'node_modules', '@sr', 'vspsr', DEFAULT_WEIGHTS_FILE), path.join(d, 'packages', 'vspsr', DEFAULT_WEIGHTS_FILE));
    if (path.basename(d) === 'vspsr') cands.push(path.join(d, DEFAULT_WEIGHTS_FILE));
    if (path.dirname(d) === d) break;
  }
  return cands.find((p) => fs.existsSync(p)) ?? null;
}

/** Loads the built-in weights and their stored configuration; `E_NO_WEIGHTS` says how to make them. */
export async function loadDefaultWeights(): Promise<{ file: string; stateDict: StateDict; config: Partial<VSpMConfig> }> {
  const file = await findDefaultWeights();
  if (!file) throw new InputError(`the built-in VSpSR weights (${DEFAULT_WEIGHTS_FILE}) are not installed: train them with \`npm run train:builtin -w @sr/vspsr\`, or pass weights`, 'E_NO_WEIGHTS');
  const fs = await import('node:fs');
  const { stateDict, metadata } = readSafetensors(new Uint8Array(fs.readFileSync(file)));
  const raw = metadata?.[VSPSR_CONFIG_KEY];
  if (!raw) throw new InputError(`${file} stores no VSpSR configuration (__metadata__.${VSPSR_CONFIG_KEY})`, 'E_WEIGHTS_CONFIG');
  return { file, stateDict, config: JSON.parse(raw) as Partial<VSpMConfig> };
}
