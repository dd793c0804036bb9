import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendReport, type InitBackendOptions } from './init-backend.js';

/**
 * Makes sure a tfjs backend is active: keeps the current one, else runs `initBackend('auto')`. The
 * browser entry registers no backend on import (each is loaded only when chosen, so apps do not
 * download the ones they never use); high-level APIs call this so that they work with no set-up.
 * @returns the report of `initBackend`, or null when a backend was already active.
 */
export async function ensureBackend(opts: InitBackendOptions = {}): Promise<BackendReport | null> {
  const engine = tf.engine() as unknown as { backendName: string | null; registryFactory: Record<string, unknown> };
  // A registered backend (the CPU one in Node, or any the app imported) becomes active on first use.
  if (engine.backendName || Object.keys(engine.registryFactory).length > 0) return null;
  return initBackend('auto', opts);
}
