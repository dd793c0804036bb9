/**
 * @sr/refvae — RefVAE (Liu, Siu & Wang, CVPRW 2021): reference-guided diverse super-resolution (×8,
 * ×4) with a frozen normalised VGG19 encoder, a conditional VAE and an image decoder, loading the
 * official `ConVAE_8x.pth` / `vgg_r41.pth` state dicts.
 * @packageDocumentation
 */
export * from './encoder.js';
export * from './cvae.js';
export * from './pil-resize.js';
export * from './image-input.js';
export * from './reference.js';
export type { SampleRng } from './rng.js';
export * from './weights.js';
export * from './result.js';
export * from './api.js';
export * from './losses.js';
export * from './discriminator.js';
export * from './train.js';
