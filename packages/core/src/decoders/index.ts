/**
 * Local implicit image functions: LIIF (Chen et al., CVPR 2021) and LTE (Lee & Jin, CVPR 2022), their
 * shared local-ensemble neighbour search and the chunked decoder that bounds memory for any output size.
 * @module
 */
export * from './mlp.js';
export * from './local-ensemble.js';
export * from './implicit.js';
export * from './liif.js';
export * from './lte.js';
export * from './from-spec.js';
