/**
 * `@sr/core` — the building blocks shared by every `@sr` paper package: PyTorch-compatible modules whose
 * parameter names are the official state-dict keys, checkpoint I/O (.pth, safetensors, .npy), image
 * I/O, MATLAB-exact resizing, backbones, implicit decoders, tiling and backend selection.
 * @packageDocumentation
 */
export * from './errors/index.js';
export * from './backend/index.js';
export * from './io/index.js';
export * from './nn/index.js';
export * from './ops/index.js';
export * from './image/index.js';
export * from './models/index.js';
export * from './decoders/index.js';
export * from './train/index.js';
export * from './tiling/index.js';
export * from './limits/index.js';
export * from './testing/index.js';
export * from './bench/index.js';
export * from './cli/cli-util.js';
