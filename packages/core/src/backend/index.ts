export * from './init-backend.js';
export * from './node-webgpu.js';
