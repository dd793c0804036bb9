// webpack 5 production build for the browser, no loader, alias or fallback configuration. webpack
// emits the package's `new URL('../weights/default.safetensors', import.meta.url)` as an asset.
import webpack from 'webpack';
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';

const stats = await new Promise((ok, fail) =>
  webpack({ mode: 'production', target: 'web', entry: './web/main.js', output: { path: resolve('dist-webpack'), filename: 'main.js', clean: true }, experiments: { topLevelAwait: true }, performance: { hints: false } }, (err, s) => (err ? fail(err) : ok(s))),
);
if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
cpSync('web/index.html', 'dist-webpack/index.html');
cpSync('web/public', 'dist-webpack', { recursive: true });
