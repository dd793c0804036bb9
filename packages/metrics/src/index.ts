/**
 * @sr/metrics — image-quality metrics that reproduce the reference implementations digit for digit:
 * PSNR/SSIM (BasicSR), LPIPS v0.1 (richzhang/PerceptualSimilarity), and the NTIRE 2021
 * Learning-the-SR-space diversity score and LR-PSNR.
 * @packageDocumentation
 */
export * from './input.js';
export * from './color.js';
export * from './psnr.js';
export * from './ssim.js';
export * from './lpips/networks.js';
export * from './lpips/lpips.js';
export * from './ntire.js';
