// Shared jest setup for every @sr package: TypeScript through @swc/jest (compiled to CommonJS for
// jest), workspace packages resolved to their sources so tests never need a prior build, and the
// WebGPU-in-Node adapter installed before any test imports tfjs-backend-webgpu (tfjs-runtime trap 2).
const path = require('path');
// Mesa reads EGL_PLATFORM from the real process environment (jest gives tests a copy), so set it
// here, before any test runs: Dawn's OpenGL ES backend needs a surfaceless EGL on headless machines.
if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
module.exports = (dir) => ({
  rootDir: dir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    // Under Node, `@sr/core` and `@sr/ciaosr` resolve to their Node entries (the `node` export condition).
    '^@sr/(core|ciaosr)$': path.join(__dirname, 'packages/$1/src/node.ts'),
    '^@sr/([a-z-]+)/node$': path.join(__dirname, 'packages/$1/src/node.ts'),
    '^@sr/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^(.*)/platform/node-require(\\.js)?$': path.join(__dirname, 'packages/core/src/platform/node-require.cjs.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFiles: [path.join(__dirname, 'packages/testkit/src/jest-setup.ts')],
  testTimeout: 600000,
  maxWorkers: 1,
  forceExit: true,
});
