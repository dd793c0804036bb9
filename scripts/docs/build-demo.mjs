#!/usr/bin/env node
// Bundles the browser demo (docs/demo/main.ts) with esbuild into docs/demo/dist/, straight from the
// packages' TypeScript sources (no package build needed), and copies what the page loads at run
// time: the tfjs WASM binaries and, when installed, the built-in CiaoSR weights.
//
// Usage: node scripts/docs/build-demo.mjs [--entry file.ts --outfile dist/x.js] [--minify]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));

/**
 * esbuild plugin: `@sr/<pkg>` → packages/<pkg>/src/index.ts, the browser entries, bundled from source.
 * Nothing else: the main entries import no Node built-in (the consumer test checks the same with the
 * packed packages and no plugin at all), and core's package.json maps pngjs to its browser build.
 */
export const srSourcesPlugin = {
  name: 'sr-sources',
  setup(b) {
    b.onResolve({ filter: /^@sr\/[a-z-]+$/ }, (args) => ({ path: join(root, 'packages', args.path.slice(4), 'src', 'index.ts') }));
  },
};

/** Bundles one browser entry point. */
export async function bundle(entry, outfile, { minify = false } = {}) {
  const t0 = Date.now();
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    logLevel: 'warning',
    plugins: [srSourcesPlugin],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return Date.now() - t0;
}

/** Copies the tfjs WASM binaries, the sample photo and the default weights (if any) next to the bundle. */
export function copyAssets(distDir) {
  mkdirSync(distDir, { recursive: true });
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, f), join(distDir, f));
  copyFileSync(join(root, 'packages/ciaosr/assets/sample.png'), join(distDir, 'sample.png'));
  const weights = join(root, 'packages/ciaosr/weights/default.safetensors');
  let defaultWeights = null;
  if (existsSync(weights)) {
    copyFileSync(weights, join(distDir, 'default.safetensors'));
    defaultWeights = 'dist/default.safetensors';
  }
  writeFileSync(join(distDir, 'config.json'), JSON.stringify({ defaultWeights }, null, 2) + '\n');
  return { defaultWeights };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (n, d) => {
    const i = process.argv.indexOf(n);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const dist = join(root, 'docs/demo/dist');
  const entry = resolve(arg('--entry', join(root, 'docs/demo/main.ts')));
  const outfile = resolve(arg('--outfile', join(dist, 'main.js')));
  const ms = await bundle(entry, outfile, { minify: process.argv.includes('--minify') });
  const { defaultWeights } = copyAssets(dist);
  console.log(`demo: bundled ${entry} → ${outfile} in ${ms} ms; default weights: ${defaultWeights ?? 'none (random-weights structure demo only)'}`);
}
