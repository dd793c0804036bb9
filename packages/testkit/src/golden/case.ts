import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpoint, readNpy, toFloat32 } from '@sr/core';
import type { GoldenContext } from './types.js';

/**
 * The shared reference folder: `$SR_SHARED`, else the first `shared/` found beside the current
 * directory or one of its ancestors (the repository sits next to `../shared`).
 */
export function sharedRoot(): string {
  if (process.env.SR_SHARED) return path.resolve(process.env.SR_SHARED);
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    for (const cand of [path.join(d, 'shared'), path.join(path.dirname(d), 'shared')])
      if (fs.existsSync(path.join(cand, 'fixtures'))) return cand;
    if (path.dirname(d) === d) break;
  }
  throw new Error('shared fixtures not found: expected ../shared beside the repository (or set SR_SHARED)');
}

/** `<shared>/fixtures/golden`. */
export function goldenRoot(): string {
  return path.join(sharedRoot(), 'fixtures', 'golden');
}

/** Throws a clear error when the shared fixtures are not there (tests must not pass silently). */
export function requireGoldenDir(name: string): string {
  const dir = path.isAbsolute(name) || name.includes('/') ? path.resolve(name) : path.join(goldenRoot(), name);
  if (!fs.existsSync(path.join(dir, 'case.json')))
    throw new Error(`golden case '${name}' not found at ${dir}: put the shared fixtures beside the repository (../shared) or set SR_SHARED`);
  return dir;
}

/** Case folder names under the golden root matching a prefix (e.g. `liif-`). */
export function listCases(prefix: string | RegExp): string[] {
  const root = goldenRoot();
  if (!fs.existsSync(root)) throw new Error(`golden fixtures missing: ${root} (expected ../shared beside the repository)`);
  return fs
    .readdirSync(root)
    .filter((n) => fs.existsSync(path.join(root, n, 'case.json')))
    .filter((n) => (typeof prefix === 'string' ? n.startsWith(prefix) : prefix.test(n)))
    .sort();
}

/** Opens a case folder. */
export function openCase(nameOrDir: string): GoldenContext {
  const dir = requireGoldenDir(nameOrDir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as Record<string, any>;
  const file = (f: string) => path.join(dir, path.extname(f) ? f : `${f}.npy`);
  return {
    name: path.basename(dir),
    dir,
    json,
    has: (f) => fs.existsSync(file(f)),
    npy: (f) => {
      if (!fs.existsSync(file(f))) throw new Error(`golden case ${path.basename(dir)}: missing file ${file(f)}`);
      return readNpy(fs.readFileSync(file(f)));
    },
    tensor: (f) => {
      const t = readNpy(fs.readFileSync(file(f)));
      return tf.tensor(toFloat32(t), t.shape, 'float32');
    },
    checkpoint: (f, key) => readCheckpoint(path.join(dir, f), key ? { key } : {}),
    files: () => fs.readdirSync(dir).filter((n) => n.endsWith('.npy')).map((n) => n.slice(0, -4)),
  };
}
