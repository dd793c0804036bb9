import type { GoldenHandler } from '../types.js';

/** Golden handlers for this family (filled in by the package that implements it). */
export const larsrHandlers: GoldenHandler[] = [];
