/**
 * WebGPU for Node.js through Dawn (the `webgpu` npm package, an optional dependency). On machines
 * without a GPU Dawn's OpenGL ES backend on Mesa llvmpipe is used (≈20× faster than SwiftShader
 * here); `DAWN_BACKEND=default` lets Dawn pick Vulkan/Metal/D3D12 on a real GPU.
 */
/** The two exports of the `webgpu` package that we use. */
export interface DawnModule {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
}
/**
 * Installs `navigator.gpu` from a loaded Dawn module. Raises `maxStorageBuffersPerShaderStage` to the
 * adapter's maximum: with the default of 8, tfjs kernels with more inputs (e.g. `addN` of 8+ tensors)
 * give silently wrong results on Dawn (tfjs-runtime.md, trap 1) — on real GPUs too.
 * @returns the Dawn backend name used.
 */
export declare function installDawn(dawn: DawnModule, backend?: string): string;
/** `DAWN_BACKEND` from the environment, else OpenGL ES on Linux (works on CPU-only machines), else Dawn's default. */
export declare function defaultDawnBackend(): string;
//# sourceMappingURL=node-webgpu.d.ts.map