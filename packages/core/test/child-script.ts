import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/**
 * Runs `source` (an ES module that may import `./src/*.ts` and `./test/*.ts` of @sr/core) in a fresh
 * Node process, after bundling it with esbuild (tests do not assume a built dist/; third-party packages
 * stay external). The bundle is written inside the package, so node_modules resolve, and removed after.
 * For what only a separate process can show: its own peak memory, or whether it exits by itself.
 */
export async function runChildScript(source: string, opts: { name: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<SpawnSyncReturns<string>> {
  const esbuild = await import('esbuild');
  const dir = path.join(__dirname, '..');
  const file = path.join(dir, `.${opts.name}-${process.pid}.mjs`);
  try {
    esbuild.buildSync({
      stdin: { contents: source, resolveDir: dir, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outfile: file,
      logLevel: 'silent',
    });
    return spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env });
  } finally {
    fs.rmSync(file, { force: true });
  }
}
