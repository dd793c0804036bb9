import { CheckpointError } from '../errors/index.js';
import type { StateDict } from './tensor-data.js';

/** Anything a checkpoint can be read from. */
export type CheckpointSource = string | URL | ArrayBuffer | Uint8Array | Blob;

/** Options of {@link readCheckpoint}. */
export interface ReadCheckpointOptions {
  /** Dotted path of the state dict inside a nested checkpoint, e.g. `'model.sd'` or `'params_ema'`. */
  key?: string;
}

/**
 * Reads a checkpoint (.pth zip or legacy, optionally gzipped; .safetensors) from a path (Node), URL,
 * ArrayBuffer or Blob and returns its state dict. PLACEHOLDER: implemented by the checkpoint I/O work.
 */
export async function readCheckpoint(_source: CheckpointSource, _opts: ReadCheckpointOptions = {}): Promise<StateDict> {
  throw new CheckpointError('readCheckpoint is not implemented yet');
}
