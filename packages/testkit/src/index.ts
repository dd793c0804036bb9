export * from './backends.js';
export * from './golden/types.js';
export * from './golden/case.js';
export * from './golden/runner.js';
export * from './golden/golden-jest.js';
export * from './cli-child.js';
export * from './cli-hostile-suite.js';
export * from './reference/pytorch-f32.js';
