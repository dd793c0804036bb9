import { InputError, readSafetensors, writeSafetensors, type StateDict } from '@sr/core';
import { parseModelConfig } from './default-weights.js';
import type { TrainSnapshot } from './train.js';

/** `__metadata__` key of a training-state file holding {@link TrainStateMeta} as JSON. */
export const TRAIN_STATE_METADATA_KEY = 'ciaosr_train_state';

/**
 * Everything besides tensors that a resumed run needs to continue the same run: the step, the RNG
 * state (which alone fixes the data stream — image, scale, crop position, flips and sampled pixels of
 * every later batch, see `sampleImplicitBatch`), the learning-rate schedule (a pure function of the
 * step) and the protocol.
 */
export interface TrainStateMeta {
  format: 1;
  step: number;
  rngState: number;
  config: TrainSnapshot['config'];
  protocol: TrainSnapshot['protocol'];
  /**
   * Learning rate: `lr · gamma^(number of milestones ≤ step)`, milestones in absolute steps, ramped up
   * linearly over the first `warmup` steps (fresh Adam moments make the first updates ±lr for every
   * weight, which would knock a pre-trained model back).
   */
  schedule: { lr: number; milestones: number[]; gamma: number; warmup?: number };
  optimizer: { type: 'adam'; betas: [number, number]; eps: number };
}

/** The learning rate of {@link TrainStateMeta.schedule} at a 0-based step. */
export function scheduleLr(s: TrainStateMeta['schedule'], step: number): number {
  const ramp = s.warmup ? Math.min(1, (step + 1) / s.warmup) : 1;
  return ramp * s.lr * s.gamma ** s.milestones.filter((m) => step >= m).length;
}

/**
 * Serialises a training state as ONE safetensors file — weights under `model.<name>`, Adam moments
 * under `exp_avg.<name>` / `exp_avg_sq.<name>` (float32: the resumed run is then bit-identical),
 * {@link TrainStateMeta} in `__metadata__` — so that a single atomic rename commits all of it.
 */
export function encodeTrainState(weights: StateDict, moments: StateDict, meta: TrainStateMeta): Uint8Array {
  const sd: StateDict = {};
  for (const [k, t] of Object.entries(weights)) sd[`model.${k}`] = t;
  for (const [k, t] of Object.entries(moments)) sd[k] = t;
  return writeSafetensors(sd, { format: 'pt', [TRAIN_STATE_METADATA_KEY]: JSON.stringify(meta) });
}

/** Parses a file written by {@link encodeTrainState}; throws an `InputError` when it is not one. */
export function decodeTrainState(bytes: Uint8Array, where = 'training state'): { weights: StateDict; moments: StateDict; meta: TrainStateMeta } {
  const { stateDict, metadata } = readSafetensors(bytes);
  const raw = metadata?.[TRAIN_STATE_METADATA_KEY];
  if (!raw) throw new InputError(`${where}: not a CiaoSR training state (no __metadata__.${TRAIN_STATE_METADATA_KEY})`);
  const meta = JSON.parse(raw) as TrainStateMeta;
  if (meta.format !== 1 || !Number.isInteger(meta.step) || !Number.isInteger(meta.rngState))
    throw new InputError(`${where}: unsupported training state ${raw.slice(0, 200)}`);
  meta.config = parseModelConfig(meta.config, where);
  const weights: StateDict = {};
  const moments: StateDict = {};
  for (const [k, t] of Object.entries(stateDict)) {
    if (k.startsWith('model.')) weights[k.slice(6)] = t;
    else moments[k] = t;
  }
  return { weights, moments, meta };
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same folder, flushed, then renamed over
 * `file`, so an interrupted write (kill, power loss) leaves the previous file intact, never half of one.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
