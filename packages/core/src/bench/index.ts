export * from './machine.js';
export * from './run-benchmark.js';
export * from './flops.js';
export * from './flops-scope.js';
export * from './results.js';
