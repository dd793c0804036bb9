import { CheckpointError, InputError, readCheckpoint, type CheckpointSource, type StateDict } from '@sr/core';
import { Encoder4, validateVggR41 } from './encoder.js';
import type { RefVAENet } from './cvae.js';

/** A checkpoint file/URL/bytes, or an already-read state dict. */
export type WeightsSource = CheckpointSource | StateDict;

/** The two official weight files RefVAE needs. */
export interface RefVAEWeights {
  /** LinearStyleTransfer's normalised VGG19 `vgg_r41.pth` (keys `conv1`…`conv10`). Not redistributed: supply it. */
  encoder: WeightsSource;
  /** `ConVAE_8x.pth` / `ConVAE_4x.pth` (keys `init_feat.*`, `VAE_encoder.*`, `mask.*`, `decoder.*`, …). */
  vae: WeightsSource;
}

function isStateDict(x: unknown): x is StateDict {
  if (!x || typeof x !== 'object' || x instanceof Uint8Array || x instanceof ArrayBuffer || x instanceof URL) return false;
  if (typeof Blob !== 'undefined' && x instanceof Blob) return false;
  const vals = Object.values(x as Record<string, unknown>);
  return vals.length > 0 && vals.every((v) => !!v && typeof v === 'object' && 'shape' in v && 'data' in v && 'dtype' in v);
}

/** Reads a weights source, naming the expected file when it cannot be read. */
export async function readWeights(src: WeightsSource | undefined, what: string, file: string): Promise<StateDict> {
  if (src === undefined || src === null)
    throw new InputError(`RefVAE: missing ${what} weights — pass weights.${what === 'VGG encoder' ? 'encoder' : 'vae'} (${file})`, 'E_WEIGHTS');
  if (isStateDict(src)) return src;
  try {
    return await readCheckpoint(src as CheckpointSource);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new CheckpointError(`RefVAE: cannot read the ${what} weights (${file}): ${msg}`, 'E_CHECKPOINT', { cause: e });
  }
}

/** Strips a DataParallel `module.` prefix when every key has it. */
function stripModule(sd: StateDict): StateDict {
  const keys = Object.keys(sd);
  if (!keys.length || !keys.every((k) => k.startsWith('module.'))) return sd;
  return Object.fromEntries(keys.map((k) => [k.slice(7), sd[k]]));
}

/** Loads `vgg_r41.pth` into an {@link Encoder4} after validating every key and shape. */
export function loadEncoderWeights(enc: Encoder4, sd: StateDict): void {
  const clean = stripModule(sd);
  validateVggR41(clean);
  enc.loadStateDict(clean);
}

/** Loads `ConVAE_{8,4}x.pth` into a {@link RefVAENet} (strict: every official key, shapes checked). */
export function loadVaeWeights(net: RefVAENet, sd: StateDict): void {
  net.loadStateDict(stripModule(sd));
}
