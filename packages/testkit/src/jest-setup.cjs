// Installs a WebGPU implementation for Node (Dawn, from the `webgpu` npm package) on
// globalThis.navigator BEFORE any test module loads @tensorflow/tfjs-backend-webgpu; otherwise the
// backend never registers (tfjs-runtime.md, trap 2). The `webgpu` package is ESM-only, so from jest's
// CommonJS world its native addon is loaded directly. Set SR_WEBGPU=0 to skip.
const path = require('path');
if (process.env.SR_WEBGPU !== '0' && !globalThis.navigator?.gpu) {
  try {
    const { installNodeWebGPU } = require(path.join(__dirname, 'node-webgpu.cjs'));
    installNodeWebGPU();
  } catch (e) {
    globalThis.__SR_WEBGPU_ERROR__ = String(e && e.message ? e.message : e);
  }
}
