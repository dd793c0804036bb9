/// <reference types="@webgpu/types" />
/**
 * WebGPU for Node.js through Dawn (the `webgpu` npm package, an optional dependency). On machines
 * without a GPU Dawn's OpenGL ES backend on Mesa llvmpipe is used (≈20× faster than SwiftShader
 * here); `DAWN_BACKEND=default` lets Dawn pick Vulkan/Metal/D3D12 on a real GPU.
 */

/** The two exports of the `webgpu` package that we use. */
export interface DawnModule {
  /**
   * Creates Dawn's `GPU` object (what browsers expose as `navigator.gpu`). `flags` are Dawn toggles such
   * as `backend=opengles`; an empty list lets Dawn pick its default backend.
   */
  create(flags: string[]): GPU;
  /** WebGPU globals (`GPUBufferUsage`, `GPUShaderStage`, …) that tfjs-backend-webgpu expects on `globalThis`. */
  globals: Record<string, unknown>;
}

/**
 * Installs `navigator.gpu` from a loaded Dawn module. Raises `maxStorageBuffersPerShaderStage` to the
 * adapter's maximum: with the default of 8, tfjs kernels with more inputs (e.g. `addN` of 8+ tensors)
 * give silently wrong results on Dawn (tfjs-runtime.md, trap 1) — on real GPUs too.
 * @returns the Dawn backend name used.
 */
export function installDawn(dawn: DawnModule, backend = defaultDawnBackend()): string {
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  Object.assign(globalThis, dawn.globals);
  if (backend === 'opengles' && typeof process !== 'undefined' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
  const request = gpu.requestAdapter.bind(gpu);
  (gpu as { requestAdapter: GPU['requestAdapter'] }).requestAdapter = async (opts: GPURequestAdapterOptions = {}) => {
    const compat = backend === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {};
    const adapter = await request({ ...opts, ...compat });
    if (!adapter) return adapter;
    const requestDevice = adapter.requestDevice.bind(adapter);
    (adapter as { requestDevice: GPUAdapter['requestDevice'] }).requestDevice = (desc: GPUDeviceDescriptor = {}) =>
      requestDevice({
        ...desc,
        requiredLimits: { ...(desc.requiredLimits ?? {}), maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage },
      });
    return adapter;
  };
  g.navigator = Object.assign(g.navigator ?? {}, { gpu });
  return backend;
}

/** `DAWN_BACKEND` from the environment, else OpenGL ES on Linux (works on CPU-only machines), else Dawn's default. */
export function defaultDawnBackend(): string {
  const env = typeof process !== 'undefined' ? process.env.DAWN_BACKEND : undefined;
  if (env) return env;
  return typeof process !== 'undefined' && process.platform === 'linux' ? 'opengles' : 'default';
}
