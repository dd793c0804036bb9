import type { GoldenHandler } from '../types.js';
import { backboneHandlers } from './backbones.js';
import { liifHandlers } from './liif.js';
import { ciaosrHandlers } from './ciaosr.js';
import { larsrHandlers } from './larsr.js';
import { vspsrHandlers } from './vspsr.js';
import { refvaeHandlers } from './refvae.js';

/** Every registered golden handler; each paper package adds its file here as it lands. */
export const HANDLERS: GoldenHandler[] = [
  ...backboneHandlers,
  ...liifHandlers,
  ...ciaosrHandlers,
  ...larsrHandlers,
  ...vspsrHandlers,
  ...refvaeHandlers,
];
