/**
 * Coordinate and sampling ops of the LIIF family (LIIF, LTE, CiaoSR): pixel-centre coordinates and
 * cells, nearest/bilinear `grid_sample` equivalents built from index arithmetic and gather, and the
 * PyTorch-ordered feature unfold.
 * @module
 */
export * from './round.js';
export * from './coord.js';
export * from './grid-sample.js';
export * from './gather-rows.js';
export * from './unfold.js';
export * from './gather-linear.js';
export * from './one-hot.js';
export * from './mix-gathered-rows.js';
