/**
 * Training utilities for implicit decoders (LIIF protocol): gradient registration, a seedable RNG, the
 * random-scale crop sampler, the L1 training step, the step learning-rate schedule, and the training /
 * held-out photo lists of the built-in models.
 * @module
 */
export * from './gradients.js';
export * from './rng.js';
export * from './schedule.js';
export * from './crop-sampler.js';
export * from './l1-step.js';
export * from './trainer.js';
export * from './training-data.js';
