// Vite production build, no plugin and no resolve configuration.
import { build } from 'vite';

await build({ root: 'web', base: './', logLevel: 'warn', build: { outDir: '../dist-vite', emptyOutDir: true, target: 'es2022' } });
