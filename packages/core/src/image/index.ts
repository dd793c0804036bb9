/**
 * Images: MATLAB-exact bicubic resizing (tfjs and plain JS), PNG/JPEG codecs, file I/O, and
 * conversions between decoded images, tensors and browser ImageData.
 * @module
 */
export * from './resize-weights.js';
export * from './imresize-array.js';
export * from './imresize.js';
export * from './image-array.js';
export * from './png.js';
export * from './png-check.js';
export * from './jpeg-check.js';
export * from './jpeg.js';
export * from './codec.js';
export * from './tensor-convert.js';
export * from './alpha.js';
export * from './browser.js';
export * from './result-image.js';
