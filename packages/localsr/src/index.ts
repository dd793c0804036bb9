/**
 * `@sr/localsr` — LocalSR / CLSR (Ji & Yao, "LocalSR: Image Super-Resolution in Local Region",
 * arXiv 2412.04314): super-resolve only a region of interest, using the whole image as context.
 * First public implementation; every choice the paper leaves open is an option documented in the
 * README's Design section. Browser-safe: nothing here imports a `node:*` module; the Node-only training
 * experiment is in the separate `@sr/localsr/node` entry.
 * @packageDocumentation
 */
export * from './staged-backbone.js';
export * from './roi.js';
export * from './samplers.js';
export * from './patch-sampling.js';
export * from './gcm.js';
export * from './pim.js';
export * from './clsr.js';
export * from './baselines.js';
export * from './region-image.js';
export * from './input.js';
export * from './api.js';
export * from './train.js';
export * from './flops.js';
// Generic pieces that moved to @sr/core, re-exported so that imports from @sr/localsr keep working.
export { addFlops, bilinearMatrix, bilinearResize, useFastCpuConvGradients } from '@sr/core';
export * from './ciaosr-backbone.js';
export * from './default-weights.js';
