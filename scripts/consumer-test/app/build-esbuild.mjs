// esbuild production build for the browser, no plugin: code splitting keeps each tfjs backend in its
// own chunk, loaded only when used. esbuild emits no asset for `new URL(…, import.meta.url)`, so the
// page copies and passes the weights (see the guide) and the .wasm files are copied next to it.
import { build } from 'esbuild';
import { cpSync } from 'node:fs';

await build({ entryPoints: ['web/main.js'], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir: 'dist-esbuild', logLevel: 'warning' });
cpSync('web/index.html', 'dist-esbuild/index.html');
cpSync('web/public', 'dist-esbuild', { recursive: true });
