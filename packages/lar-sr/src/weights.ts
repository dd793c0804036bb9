/**
 * Loading official-layout LAR-SR checkpoints by their key names, with model sizes read off the
 * tensor shapes (so small, full-size and other-K checkpoints all load without configuration).
 * @module
 */
import { CheckpointError, isStateDict, readCheckpoint, type CheckpointSource, type StateDict } from '@sr/core';
import type { LocalARConfig } from './local-ar.js';
import type { TexVQVAEConfig } from './vqvae.js';

/** A checkpoint given as a path/URL/bytes (read with `readCheckpoint`) or an already-read state dict. */
export type WeightsSource = CheckpointSource | StateDict;

/** Reads a checkpoint; strips a DataParallel `module.` prefix when every key has it. */
export async function loadStateDict(src: WeightsSource, what: string): Promise<StateDict> {
  let sd: StateDict;
  try {
    sd = isStateDict(src) ? src : await readCheckpoint(src as CheckpointSource);
  } catch (e) {
    throw new CheckpointError(`cannot read the ${what} checkpoint: ${(e as Error).message}`, 'E_CHECKPOINT', { cause: e });
  }
  const keys = Object.keys(sd);
  if (keys.length && keys.every((k) => k.startsWith('module.'))) {
    const out: StateDict = {};
    for (const k of keys) out[k.slice(7)] = sd[k]!;
    sd = out;
  }
  return sd;
}

function need(sd: StateDict, key: string, what: string): number[] {
  const t = sd[key];
  if (!t) throw new CheckpointError(`the ${what} checkpoint has no '${key}': is it the right file? (expected the official ${what} state_dict)`, 'E_CHECKPOINT_LAYOUT');
  return t.shape;
}

/** Distinct values of the `segment`-th dot-separated part over keys starting with `prefix`. */
function countChildren(sd: StateDict, prefix: string, suffix = ''): number {
  const ids = new Set<string>();
  for (const k of Object.keys(sd)) if (k.startsWith(prefix) && k.endsWith(suffix)) ids.add(k.slice(prefix.length).split('.')[0]!);
  return ids.size;
}

/** `res_vqvae` sizes from its state dict (`enc_b.*`, `quantize_b.embed`, …). */
export function inferVqvaeConfig(sd: StateDict): TexVQVAEConfig {
  const stem = need(sd, 'enc_b.blocks.2.weight', 'res_vqvae');
  const embed = need(sd, 'quantize_b.embed', 'res_vqvae');
  const inCh = need(sd, 'enc_t.blocks.0.weight', 'res_vqvae')[1]!;
  const nResBlock = countChildren(sd, 'enc_b.blocks.', '.conv.1.weight');
  const res = sd['enc_b.blocks.3.conv.1.weight'];
  return { inChannel: inCh, channel: stem[0]!, nResBlock, nResChannel: res ? res.shape[0]! : 32, embedDim: embed[0]!, nEmbed: embed[1]! };
}

/** `Local_Ar` sizes and variant (LAR vs LAR-attn) from its state dict. */
export function inferLarConfig(sd: StateDict): LocalARConfig {
  const xe = need(sd, 'x_encode.0.weight', 'Local_Ar');
  const block = countChildren(sd, 'gate_conv_group.');
  const attn = Object.keys(sd).some((k) => /^gate_conv_group\.\d+\.attention\./.test(k));
  let patchSize: number;
  if (attn) patchSize = need(sd, 'gate_conv_group.0.background', 'Local_Ar')[2]!;
  else if (block > 0) patchSize = Math.round(Math.sqrt(countChildren(sd, 'gate_conv_group.0.w_blocks.')));
  else throw new CheckpointError('the Local_Ar checkpoint has no gate layers; cannot tell its patch size', 'E_CHECKPOINT_LAYOUT');
  return { variant: attn ? 'lar-attn' : 'lar', patchSize, channel: xe[0]!, nEmbed: xe[1]!, block };
}
