/**
 * `@sr/localsr/node` — the Node-only part of `@sr/localsr`: the training experiment of the README
 * ({@link runExperiment}), which reads photos and writes its JSON report with `node:fs`/`node:path`.
 * It lives in its own entry so that the main entry (`@sr/localsr`) imports no `node:*` module and
 * bundles for the browser unchanged.
 * @packageDocumentation
 */
export * from './experiment.js';
export * from './builtin-train.js';
export * from './builtin-card.js';
