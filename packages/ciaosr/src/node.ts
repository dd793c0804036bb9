/**
 * `@sr/ciaosr/node` — the Node.js entry of `@sr/ciaosr`: the main entry plus training
 * ({@link trainCiaoSR}, which reads image folders and writes checkpoints). Node resolves a plain
 * `import … from '@sr/ciaosr'` here (the `node` export condition); browsers get the main entry.
 * @packageDocumentation
 */
export * from './index.js';
export * from './train.js';
export * from './train-state.js';
