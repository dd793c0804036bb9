export * from './tensor-data.js';
