/**
 * Built-in weights that a paper package ships as a file, loaded the same way everywhere: the
 * package names the file with `new URL('../weights/default.safetensors', import.meta.url)` (Node:
 * a `file:` URL of the installed package, whatever the working directory; Vite / webpack 5: an
 * emitted asset), an environment variable may point elsewhere (Node), and the model configuration
 * must be stored with the weights (the model is never guessed).
 * @module
 */
import { InputError } from '../errors/index.js';
import type { StateDict } from './tensor-data.js';
import { envFilePath, readWeightsFile, shippedFilePath, storedConfig } from './weights-file.js';

/** How a package's built-in weights are found and checked (see {@link loadShippedWeights}). */
export interface ShippedWeightsSpec<T> {
  /** `new URL('../weights/default.safetensors', import.meta.url)`, built in the package itself. */
  url: URL;
  /** The package-relative name, for messages (`weights/default.safetensors`). */
  file: string;
  /** Environment variable that points the weights at another file (Node). */
  envVar: string;
  /** `__metadata__` key (or `.json` sidecar `config`) holding the configuration. */
  configKey: string;
  /** Validates the stored configuration; throws a clear error for a corrupt one. */
  parse: (raw: unknown, where: string) => T;
  /** What to do when the weights are missing (quoted in `E_NO_WEIGHTS`). */
  hint: string;
}

/** The Node path of the built-in weights (env override first), or null (not installed, or a browser). */
export function findShippedWeights(spec: Pick<ShippedWeightsSpec<unknown>, 'url' | 'envVar'>): string | null {
  return envFilePath(spec.envVar) ?? shippedFilePath(spec.url);
}

/**
 * Loads built-in weights with their stored configuration. Throws `E_NO_WEIGHTS` (with `spec.hint`)
 * when they are not installed or cannot be fetched, `E_WEIGHTS_CONFIG` when the file stores no
 * configuration.
 */
export async function loadShippedWeights<T>(spec: ShippedWeightsSpec<T>): Promise<{ file: string; stateDict: StateDict; config: T; metadata: Record<string, string> }> {
  const env = envFilePath(spec.envVar);
  if (!env && spec.url.protocol === 'file:' && !shippedFilePath(spec.url))
    throw new InputError(`the built-in weights (${spec.file}) are not installed: ${spec.hint}`, 'E_NO_WEIGHTS');
  const source = env ?? spec.url;
  let w;
  try {
    w = await readWeightsFile(source);
  } catch (e) {
    if (env || spec.url.protocol === 'file:') throw e;
    throw new InputError(
      `cannot load the built-in weights from ${spec.url.href} (${(e as Error).message}). Bundlers that emit ` +
        '`new URL(…, import.meta.url)` assets (Vite, webpack 5) serve them automatically; with others (esbuild) copy ' +
        `${spec.file} of the package to that URL, or pass weights explicitly`,
      'E_NO_WEIGHTS',
    );
  }
  const file = env ?? shippedFilePath(spec.url) ?? spec.url.href;
  const config = storedConfig(w, spec.configKey, spec.parse);
  if (config === null) throw new InputError(`${file} stores no model configuration (__metadata__.${spec.configKey} or a .json sidecar); ${spec.hint}`, 'E_WEIGHTS_CONFIG');
  return { file, stateDict: w.stateDict, config, metadata: w.metadata };
}
