/**
 * Backbones with the official module names and configurations (EDSR, mmedit EDSR, RDN, RRDBNet),
 * the common {@link Backbone} interface and the {@link createBackbone} factory.
 * @module
 */
export * from './backbone.js';
export * from './edsr.js';
export * from './edsr-mmedit.js';
export * from './rdn.js';
export * from './rrdbnet.js';
export * from './registry.js';
