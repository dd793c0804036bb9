/**
 * Weights files with what is stored beside the tensors: the generic part of "built-in weights" that
 * every paper package uses. A package ships its weights as a file and names it with
 * `new URL('../weights/<name>.safetensors', import.meta.url)` in one of its modules — the one form
 * that Node (a `file:` URL of the installed package, whatever the working directory), Vite, webpack 5
 * and Rollup (an emitted asset) all understand — and loads it, or whatever the app passes instead
 * (path, URL, bytes, Blob), through {@link readWeightsFile}; {@link storedConfig} then gives the
 * model configuration stored with the weights, so the model is never guessed.
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { isNode } from '../platform/env.js';
import { nodePlatform } from '../platform/node-platform.js';
import { selectStateDict, parseCheckpointBytes, type ReadCheckpointOptions } from './checkpoint.js';
import { sourceBytes, sourceName, type CheckpointSource } from './source.js';
import type { StateDict } from './tensor-data.js';

/** A weights file read by {@link readWeightsFile}. */
export interface WeightsFile {
  stateDict: StateDict;
  /** The safetensors `__metadata__` string map (empty for other formats). */
  metadata: Record<string, string>;
  /** A short name of the source, for messages. */
  name: string;
  /** The Node file path it was read from (a path or a `file:` URL), else undefined. */
  file?: string;
}

/** The Node file path of a source (a path string or a `file:` URL), or undefined (bytes, http, browsers). */
function nodeFilePath(source: CheckpointSource): string | undefined {
  const platform = isNode() ? nodePlatform() : undefined;
  if (!platform) return undefined;
  if (typeof source === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return source;
  const href = source instanceof URL ? source.href : typeof source === 'string' ? source : undefined;
  if (!href?.startsWith('file:')) return undefined;
  return (platform.require('url') as typeof import('url')).fileURLToPath(href);
}

/**
 * Reads a weights file from a Node path, a URL (`file:` in Node, `http(s):` anywhere), bytes or a
 * Blob: a `.safetensors` file (sniffed from its content, not its name) with its `__metadata__`, or any
 * checkpoint `readCheckpoint` reads (`.pth`, …) with empty metadata.
 */
export async function readWeightsFile(source: CheckpointSource, opts: ReadCheckpointOptions = {}): Promise<WeightsFile> {
  const name = sourceName(source);
  const file = nodeFilePath(source);
  const obj = parseCheckpointBytes(await sourceBytes(source));
  // parseCheckpointBytes keeps a safetensors __metadata__ as a non-enumerable property.
  const metadata = { ...((obj as { __metadata__?: Record<string, string> }).__metadata__ ?? {}) };
  const { stateDict } = selectStateDict(obj, opts.key, name);
  return { stateDict, metadata, name, file };
}

/**
 * The model configuration stored with a weights file, or null when it stores none: the JSON in
 * `metadata[key]`, else (Node, files only) the `config` of a JSON sidecar — `<file>.json` (written
 * next to training checkpoints) or `<dir>/<stem>.json`. `parse` validates the raw value (so a corrupt
 * file fails with a clear message, not a shape error) and receives where it was found.
 */
export function storedConfig<T>(w: WeightsFile, key: string, parse: (raw: unknown, where: string) => T): T | null {
  const raw = w.metadata[key];
  if (raw !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      throw new CheckpointError(`${w.name}: __metadata__.${key} is not JSON: ${(e as Error).message}`, 'E_CONFIG', { cause: e });
    }
    return parse(json, `${w.name} (__metadata__.${key})`);
  }
  const platform = w.file ? nodePlatform() : undefined;
  if (!platform || !w.file) return null;
  const fs = platform.require('fs') as typeof import('fs');
  for (const side of [`${w.file}.json`, w.file.replace(/\.[^./\\]+$/, '.json')]) {
    if (side === w.file || !fs.existsSync(side)) continue;
    const json = JSON.parse(fs.readFileSync(side, 'utf8')) as { config?: unknown };
    if (json.config) return parse(json.config, side);
  }
  return null;
}

/**
 * The Node path of a file shipped inside an installed package, given its URL (build it in the package
 * with `new URL('../weights/x.safetensors', import.meta.url)`), or null in browsers and when the file
 * is not there. Found from the package itself, never from the working directory.
 */
export function shippedFilePath(url: URL): string | null {
  const file = url.protocol === 'file:' ? nodeFilePath(url) : undefined;
  if (!file) return null;
  return (nodePlatform()!.require('fs') as typeof import('fs')).existsSync(file) ? file : null;
}

/**
 * The file named by the environment variable `name` (Node), or undefined when it is unset or in
 * browsers. A set variable must name an existing file: a typo fails loudly instead of silently
 * falling back to another file.
 */
export function envFilePath(name: string): string | undefined {
  const platform = isNode() ? nodePlatform() : undefined;
  const value = platform ? process.env[name] : undefined;
  if (!value) return undefined;
  if (!(platform!.require('fs') as typeof import('fs')).existsSync(value)) throw new CheckpointError(`${name}=${value}: file not found`, 'E_NO_WEIGHTS');
  return value;
}
