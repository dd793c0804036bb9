export * from './module.js';
export * from './init.js';
export * from './conv.js';
export * from './linear.js';
export * from './activation.js';
