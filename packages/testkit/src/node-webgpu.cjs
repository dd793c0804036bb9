// WebGPU for Node through Dawn (`webgpu` npm package). On machines without a GPU we use Dawn's
// OpenGL ES backend on Mesa llvmpipe (about 20x faster than SwiftShader here); with DAWN_BACKEND=default
// Dawn picks Vulkan/Metal/D3D12. The storage-buffer limit is raised to the adapter's maximum because
// tfjs ops with 8+ inputs (addN) otherwise produce silently wrong results (tfjs-runtime.md, trap 1).
const path = require('path');
function installNodeWebGPU() {
  const pkg = path.dirname(require.resolve('webgpu/package.json'));
  const dawn = require(path.join(pkg, 'dist', `${process.platform}-${process.arch}`, 'dawn.node'));
  Object.assign(globalThis, dawn.globals);
  const backend = process.env.DAWN_BACKEND || (process.platform === 'linux' ? 'opengles' : 'default');
  if (backend === 'opengles' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (opts = {}) => {
    const adapter = await request(backend === 'opengles' ? { ...opts, featureLevel: 'compatibility' } : opts);
    if (!adapter) return adapter;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = (desc = {}) =>
      requestDevice({
        ...desc,
        requiredLimits: {
          ...(desc.requiredLimits || {}),
          maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
        },
      });
    return adapter;
  };
  globalThis.navigator = Object.assign(globalThis.navigator || {}, { gpu });
  return backend;
}
module.exports = { installNodeWebGPU };
