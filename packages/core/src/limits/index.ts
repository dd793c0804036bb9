/**
 * Limits on untrusted input (pixel counts, inflated sizes) and up-front memory planning of a run
 * against the backend's limits.
 * @module
 */
export * from './resource-limits.js';
export * from './bounded-inflate.js';
export * from './memory-plan.js';
