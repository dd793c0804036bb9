/**
 * @sr/ciaosr — CiaoSR (Cao et al., CVPR 2023): arbitrary-scale super-resolution with
 * attention-in-attention implicit decoding and scale-aware non-local attention, on any backbone.
 * @packageDocumentation
 */
export { queryArrays, fillQueries, concatQueryArrays, containingIndex, NEIGHBOURS, type QueryArrays, type QueryBlock, type ImageGeometry } from './geometry.js';
export * from './mlp.js';
export * from './cross-scale-attention.js';
export * from './head.js';
export * from './model.js';
export * from './backbones.js';
export * from './tiled-inference.js';
export * from './input.js';
export * from './upscaled-image.js';
export * from './default-weights.js';
export * from './prune-head.js';
export * from './upscaler.js';
export * from './adam.js';
// Training reads folders and writes checkpoints (Node): its functions are in the Node entry (node.ts).
export type { TrainModelConfig, TrainOptions, TrainState } from './train.js';
export * from './benchmark.js';
