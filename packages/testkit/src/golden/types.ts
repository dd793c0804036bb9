import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict, TensorData } from '@sr/core';

/** What a golden handler gets: the case folder and readers for its files. */
export interface GoldenContext {
  /** Folder name, e.g. `liif-edsr`; identifies the case family. */
  readonly name: string;
  /** Absolute folder path. */
  readonly dir: string;
  /** Parsed `case.json`. */
  readonly json: Record<string, any>;
  /** True when `<dir>/<file>` exists (`.npy` appended when the name has no extension). */
  has(file: string): boolean;
  /** Reads `<dir>/<file>.npy` as stored (NCHW images, (B,Q,2) coords, …). */
  npy(file: string): TensorData;
  /** Reads `<dir>/<file>.npy` as a float32 tfjs tensor of the stored shape (caller disposes). */
  tensor(file: string): tf.Tensor;
  /** Reads a checkpoint of the case with `readCheckpoint` (gzip accepted). */
  checkpoint(file: string, key?: string): Promise<StateDict>;
  /** File names (without `.npy`) in the case folder. */
  files(): string[];
}

/**
 * Runs one family of golden cases. `run` builds the model from what `case.json` records (never from
 * assumptions about sizes, scales or seeds), runs it, and returns outputs keyed by the expected
 * file name without `.npy`, in that file's layout. The runner compares and disposes them.
 */
export interface GoldenHandler {
  /** Handler name for messages. */
  readonly name: string;
  /** Whether this handler runs the case (usually by folder-name prefix). */
  match(caseName: string, json: Record<string, any>): boolean;
  run(ctx: GoldenContext): Promise<Record<string, tf.Tensor>>;
}

/** One compared output. */
export interface GoldenResult {
  output: string;
  shape: number[];
  maxAbs: number;
  /** Worst `|ts − ref| − (atol + rtol·|ref|)`; ≤ 0 passes. */
  worstExcess: number;
  atol: number;
  rtol: number;
  pass: boolean;
  /** Why the output could not be compared (e.g. its reference file is missing); such a result fails. */
  error?: string;
}
