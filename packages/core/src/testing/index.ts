export * from './leak.js';
