// Installs WebGPU for Node (Dawn, from the optional `webgpu` package) on globalThis.navigator BEFORE
// any test module loads @tensorflow/tfjs-backend-webgpu; otherwise that backend never registers
// (tfjs-runtime.md, trap 2). The `webgpu` package is ESM-only, so under jest (CommonJS) its native
// addon is required directly and handed to core's `installDawn`. SR_WEBGPU=0 skips it.
import * as path from 'node:path';
// Tests that import a package's src/index.ts (the browser entry) still run in Node: install core's
// Node platform (file access, WASM paths, Dawn loader) as the Node entry does.
import '../../core/src/platform/node-install.js';
import { installDawn, type DawnModule } from '../../core/src/backend/node-webgpu.js';

if (process.env.SR_WEBGPU !== '0' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
  try {
    const pkg = path.dirname(require.resolve('webgpu/package.json'));
    const dawn = require(path.join(pkg, 'dist', `${process.platform}-${process.arch}`, 'dawn.node')) as DawnModule;
    installDawn(dawn);
  } catch (e) {
    (globalThis as { __SR_WEBGPU_ERROR__?: string }).__SR_WEBGPU_ERROR__ = e instanceof Error ? e.message : String(e);
  }
}
