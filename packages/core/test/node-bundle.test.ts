// A Node app bundled with esbuild (a server, a CLI, a serverless function) must get what plain Node
// gets from `@sr/core`'s Node entry: here, the CPU backend registered at import, before initBackend.
// (A bare `import '@tensorflow/tfjs-backend-cpu'` is dropped by bundlers: the package marks its Node
// entry side-effect-free.)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

it('a Node esbuild bundle of the Node entry has the CPU backend registered at import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sr-node-bundle-'));
  try {
    const entry = path.join(dir, 'app.mjs');
    const nodeEntry = path.resolve(__dirname, '../src/node.ts');
    fs.writeFileSync(entry, `import ${JSON.stringify(nodeEntry)};\nimport * as tf from '@tensorflow/tfjs-core';\nconst sum = tf.add(1, 2).dataSync()[0];\nconsole.log(tf.getBackend(), sum);\n`);
    const out = path.join(dir, 'bundle.mjs');
    buildSync({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['webgpu'],
      logLevel: 'silent',
      nodePaths: [path.resolve(__dirname, '../../../node_modules')],
      banner: { js: "import { createRequire as __srRequire } from 'node:module'; const require = __srRequire(import.meta.url);" },
    });
    expect(execFileSync(process.execPath, [out], { encoding: 'utf8', cwd: dir }).trim()).toBe('cpu 3');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
