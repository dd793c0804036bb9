/**
 * @sr/vspsr — VSpSR (variational sparse representation for explorable SR, NTIRE 2021 "Learning the SR
 * space"; official code zzhwfy/VSpSR) in TensorFlow.js: the VSpM model with official state-dict keys,
 * its losses and training step, the official OpenCV-kernel CEM and our MATLAB-kernel CEM that makes
 * every sample exactly LR-consistent under the NTIRE LR-PSNR downscaling.
 * @packageDocumentation
 */
export * from './vspm.js';
export * from './vspsr.js';
export * from './loss.js';
export * from './train.js';
export * from './api.js';
export * from './result.js';
export * from './input.js';
export * from './rng.js';
export { detach } from './layers.js';
export * from './cem/opencv-kernel.js';
export * from './cem/cem-opencv.js';
export * from './cem/matlab-operator.js';
export * from './cem/cem-matlab.js';
export * from './default-weights.js';
export * from './discriminator.js';
