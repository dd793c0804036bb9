export * from './init-backend.js';
export * from './ensure-backend.js';
export * from './cpu-conv-grad.js';
export * from './node-webgpu.js';
export * from './wasm-kernels/index.js';
