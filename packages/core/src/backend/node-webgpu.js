/// <reference types="@webgpu/types" />
/**
 * WebGPU for Node.js through Dawn (the `webgpu` npm package, an optional dependency). On machines
 * without a GPU Dawn's OpenGL ES backend on Mesa llvmpipe is used (≈20× faster than SwiftShader
 * here); `DAWN_BACKEND=default` lets Dawn pick Vulkan/Metal/D3D12 on a real GPU.
 */
/**
 * Installs `navigator.gpu` from a loaded Dawn module. Raises `maxStorageBuffersPerShaderStage` to the
 * adapter's maximum: with the default of 8, tfjs kernels with more inputs (e.g. `addN` of 8+ tensors)
 * give silently wrong results on Dawn (tfjs-runtime.md, trap 1) — on real GPUs too.
 * @returns the Dawn backend name used.
 */
export function installDawn(dawn, backend = defaultDawnBackend()) {
    const g = globalThis;
    Object.assign(globalThis, dawn.globals);
    if (backend === 'opengles' && typeof process !== 'undefined' && !process.env.EGL_PLATFORM)
        process.env.EGL_PLATFORM = 'surfaceless';
    const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
    const request = gpu.requestAdapter.bind(gpu);
    gpu.requestAdapter = async (opts = {}) => {
        const compat = backend === 'opengles' ? { featureLevel: 'compatibility' } : {};
        const adapter = await request({ ...opts, ...compat });
        if (!adapter)
            return adapter;
        const requestDevice = adapter.requestDevice.bind(adapter);
        adapter.requestDevice = (desc = {}) => requestDevice({
            ...desc,
            requiredLimits: { ...(desc.requiredLimits ?? {}), maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage },
        });
        return adapter;
    };
    g.navigator = Object.assign(g.navigator ?? {}, { gpu });
    return backend;
}
/** `DAWN_BACKEND` from the environment, else OpenGL ES on Linux (works on CPU-only machines), else Dawn's default. */
export function defaultDawnBackend() {
    const env = typeof process !== 'undefined' ? process.env.DAWN_BACKEND : undefined;
    if (env)
        return env;
    return typeof process !== 'undefined' && process.platform === 'linux' ? 'opengles' : 'default';
}
//# sourceMappingURL=node-webgpu.js.map