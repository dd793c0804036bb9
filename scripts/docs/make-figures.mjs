#!/usr/bin/env node
// Builds docs/guides/img/*.png: bundles scripts/docs/figures.ts for Node with esbuild straight from
// the packages' TypeScript sources (no package build needed) and runs it.
// The demo screenshot (docs/guides/img/demo.png) comes from `npm run test:browser` instead.
//
// Usage: npm run docs:figures
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'node_modules/.cache/sr-figures');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'figures.mjs');

await build({
  entryPoints: [join(root, 'scripts/docs/figures.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  packages: 'external',
  plugins: [
    {
      name: 'sr-sources',
      setup(b) {
        b.onResolve({ filter: /^@sr\/[a-z-]+$/ }, (args) => ({ path: join(root, 'packages', args.path.slice(4), 'src', 'index.ts') }));
      },
    },
  ],
});
const { makeFigures } = await import(pathToFileURL(outfile).href);
for (const [name, size] of await makeFigures(root)) console.log(`docs/guides/img/${name}  ${(size / 1024).toFixed(1)} KB`);
