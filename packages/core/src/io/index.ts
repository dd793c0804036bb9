export * from './tensor-data.js';
export * from './npy.js';
export * from './checkpoint.js';
