/// <reference types="@webgpu/types" />
/**
 * WebGPU for Node.js through Dawn (the `webgpu` npm package, an optional dependency). On Linux with a
 * GPU device Vulkan is tried first, then OpenGL ES; on machines without a GPU Dawn's OpenGL ES backend
 * on Mesa llvmpipe is used (≈20× faster than SwiftShader here). `DAWN_BACKEND` overrides the order.
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
 * Installs `navigator.gpu` from a loaded Dawn module. Its `requestAdapter` tries Dawn's backends in
 * order (`backends`, default {@link defaultDawnBackends}) and returns the first adapter found, so a
 * Linux machine with a GPU gets Vulkan and falls back to OpenGL ES where Vulkan has no driver (each
 * backend's Dawn instance is created only when its turn comes). Raises `maxStorageBuffersPerShaderStage`
 * to the adapter's maximum: with the default of 8, tfjs kernels with more inputs (e.g. `addN` of 8+
 * tensors) give silently wrong results on Dawn (tfjs-runtime.md, trap 1) — on real GPUs too.
 * @param backends a Dawn backend (`vulkan`, `opengles`, `metal`, `d3d12`, or `default`: Dawn's own
 *   choice) or several, in the order to try.
 * @returns the backends, in the order they are tried.
 */
export function installDawn(dawn: DawnModule, backends: string | readonly string[] = defaultDawnBackends()): string[] {
  const order = typeof backends === 'string' ? parseDawnBackends(backends) : [...backends];
  if (order.length === 0) throw new Error('installDawn: no Dawn backend to try');
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  Object.assign(globalThis, dawn.globals);
  if (order.includes('opengles') && typeof process !== 'undefined' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const instances = new Map<string, { gpu: GPU; request: GPU['requestAdapter'] }>();
  const instance = (backend: string) => {
    let it = instances.get(backend);
    if (!it) {
      const gpu = dawn.create(backend === 'default' ? [] : [`backend=${backend}`]);
      it = { gpu, request: gpu.requestAdapter.bind(gpu) };
      instances.set(backend, it);
    }
    return it;
  };
  const gpu = instance(order[0]).gpu;
  (gpu as { requestAdapter: GPU['requestAdapter'] }).requestAdapter = async (opts: GPURequestAdapterOptions = {}) => {
    for (const backend of order) {
      // Dawn's OpenGL ES backend offers only WebGPU's compatibility feature level.
      const compat = backend === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : {};
      const adapter = await instance(backend).request({ ...opts, ...compat }).catch(() => null);
      if (adapter) return withFullStorageBufferLimit(adapter);
    }
    return null;
  };
  g.navigator = Object.assign(g.navigator ?? {}, { gpu });
  return order;
}

function withFullStorageBufferLimit(adapter: GPUAdapter): GPUAdapter {
  const requestDevice = adapter.requestDevice.bind(adapter);
  (adapter as { requestDevice: GPUAdapter['requestDevice'] }).requestDevice = (desc: GPUDeviceDescriptor = {}) =>
    requestDevice({
      ...desc,
      requiredLimits: { ...(desc.requiredLimits ?? {}), maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage },
    });
  return adapter;
}

const parseDawnBackends = (list: string): string[] =>
  list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

/**
 * Dawn backends to try, in order: `$DAWN_BACKEND` (one, or a comma-separated list) when set; on Linux
 * Vulkan then OpenGL ES when the machine has a GPU device (`hasGpuDevice`, see the Node platform's
 * `mayHaveGpu`), else OpenGL ES alone (Mesa llvmpipe on CPU-only machines, ≈20× faster than Dawn's
 * SwiftShader Vulkan, and no Vulkan start-up warnings); elsewhere Dawn's own choice (Metal, D3D12).
 */
export function defaultDawnBackends(hasGpuDevice = false): string[] {
  const env = typeof process !== 'undefined' ? process.env.DAWN_BACKEND : undefined;
  if (env) return parseDawnBackends(env);
  if (typeof process !== 'undefined' && process.platform === 'linux') return hasGpuDevice ? ['vulkan', 'opengles'] : ['opengles'];
  return ['default'];
}

/** @deprecated Use {@link defaultDawnBackends}; this returns its first entry. */
export function defaultDawnBackend(): string {
  return defaultDawnBackends()[0];
}
