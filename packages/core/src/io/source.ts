/**
 * Turns a checkpoint source (Node path, URL, ArrayBuffer, Uint8Array, Blob) into bytes. Node's file
 * system is reached through the Node platform (installed by the Node entry) and only for paths and
 * `file:` URLs, so browser bundles never contain it.
 * @module
 */
import { CheckpointError } from '../errors/index.js';
import { nodeFs, nodePlatform } from '../platform/node-platform.js';

/** Anything a checkpoint can be read from: in Node a string is a file path (or an http(s) URL); in browsers a URL. */
export type CheckpointSource = string | URL | ArrayBuffer | Uint8Array | Blob;

/** True for `http://` / `https://` strings (everything else that is a string is a file path). */
function isHttp(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

async function fetchBytes(url: string | URL): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new CheckpointError(`cannot fetch checkpoint ${String(url)}: ${(e as Error).message}`, 'E_FETCH', { cause: e });
  }
  if (!res.ok) throw new CheckpointError(`cannot fetch checkpoint ${String(url)}: HTTP ${res.status} ${res.statusText}`, 'E_FETCH');
  return new Uint8Array(await res.arrayBuffer());
}

async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  const fs = nodeFs(`reading the checkpoint file '${path}'`).promises;
  try {
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CheckpointError(`cannot read checkpoint file '${path}'${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`, 'E_FILE', { cause: e });
  }
}

/** Reads all bytes of a checkpoint source. */
export async function sourceBytes(source: CheckpointSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (source instanceof URL) {
    // fs.readFile reads file: URLs itself.
    if (source.protocol === 'file:') return readFileBytes(source);
    return fetchBytes(source);
  }
  // In Node a string is a path (or an http(s) URL); in a browser it is a URL, relative to the page.
  if (typeof source === 'string') return isHttp(source) || !nodePlatform() ? fetchBytes(source) : readFileBytes(source);
  throw new CheckpointError(`unsupported checkpoint source ${Object.prototype.toString.call(source)}`, 'E_INPUT');
}

/** A short name of a source for messages. */
export function sourceName(source: CheckpointSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (source instanceof Uint8Array) return `<Uint8Array of ${source.byteLength} bytes>`;
  if (source instanceof ArrayBuffer) return `<ArrayBuffer of ${source.byteLength} bytes>`;
  return `<Blob of ${source.size} bytes>`;
}
