/**
 * @sr/lar-sr — LAR-SR (Guo et al., CVPR 2022): diverse super-resolution by a texture VQ-VAE and a
 * local autoregressive sampler over s×s patches of its index map, in TensorFlow.js. Loads the
 * official PyTorch checkpoints (RRDB coarse model, `res_vqvae`, `Local_Ar` / LAR-attn) by key.
 * @packageDocumentation
 */
export * from './blocks.js';
export * from './patches.js';
export * from './vqvae.js';
export * from './gate-layer.js';
export * from './attention-gate-layer.js';
export * from './local-ar.js';
export * from './rng.js';
export * from './sampler.js';
export * from './coarse.js';
export * from './weights.js';
export * from './result.js';
export * from './api.js';
export * from './train.js';
