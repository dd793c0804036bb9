// Rollup build for the browser with the two plugins every tfjs app needs (node-resolve with
// browser: true; commonjs, for tfjs's own CommonJS files) and nothing for @sr. Rollup emits no asset
// for `new URL(…, import.meta.url)`: like esbuild, the page is given the weights URL.
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import { cpSync } from 'node:fs';

const bundle = await rollup({ input: 'web/main.js', plugins: [nodeResolve({ browser: true }), commonjs()], onwarn: () => {} });
await bundle.write({ dir: 'dist-rollup', format: 'es' });
cpSync('web/index.html', 'dist-rollup/index.html');
cpSync('web/public', 'dist-rollup', { recursive: true });
