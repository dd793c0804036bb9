/** Where the built-in weights ship inside the package (relative to the package root). */
export const DEFAULT_WEIGHTS_FILE = 'weights/default.safetensors';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined';

/**
 * Path of the built-in default weights when they are installed (Node only), else null: looks for
 * `node_modules/@sr/ciaosr/weights/default.safetensors` and `packages/ciaosr/weights/…` (monorepo)
 * from the working directory upwards, and beside the running CLI script.
 */
export async function findDefaultWeights(): Promise<string | null> {
  if (!inNode()) return null;
  const fs = await import('node:fs');
  const path = await import('node:path');
  const cands: string[] = [];
  const script = process.argv[1];
  if (script && /ciaosr/.test(script)) cands.push(path.join(path.dirname(fs.realpathSync(script)), '..', DEFAULT_WEIGHTS_FILE));
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    cands.push(path.join(d, 'node_modules', '@sr', 'ciaosr', DEFAULT_WEIGHTS_FILE), path.join(d, 'packages', 'ciaosr', DEFAULT_WEIGHTS_FILE));
    if (path.basename(d) === 'ciaosr') cands.push(path.join(d, DEFAULT_WEIGHTS_FILE));
    if (path.dirname(d) === d) break;
  }
  return cands.find((p) => fs.existsSync(p)) ?? null;
}
