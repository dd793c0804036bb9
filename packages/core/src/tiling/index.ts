/**
 * Generic tiling: split an NHWC image into overlapping tiles, run an operator per tile, and crop or
 * blend the results back, so peak device memory is bounded by the tile instead of the image.
 * @module
 */
export * from './plan.js';
export * from './run-tiled.js';
