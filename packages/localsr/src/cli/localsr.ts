/**
 * `localsr upscale <in.png> --roi x,y,w,h -o <out.png> [--weights file] [--backbone edsr|rrdb]
 * [--padding 8] [--no-gcm] [--no-pim] [--baseline pre-crop|post-crop] [--backend auto]`: super-resolves
 * one region of interest (LR pixels) of an image ×4, with the whole image as context (CLSR).
 */
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { CLI_BACKEND_HELP, cliInitBackend, cliInteger, cliRun, cliWriteOutput, type BackendName } from '@sr/core';
import { createLocalSR } from '../api.js';
import { findDefaultWeights } from '../default-weights.js';
import type { BackboneKind } from '../staged-backbone.js';
import type { Roi } from '../roi.js';

interface UpscaleCliOptions {
  roi: Roi;
  out: string;
  weights?: string;
  backbone: BackboneKind;
  padding: number;
  gcm: boolean;
  pim: boolean;
  baseline?: 'pre-crop' | 'post-crop';
  backend: BackendName;
}

/** Parses `x,y,w,h` (non-negative integers). */
export function parseRoi(v: string): Roi {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error(`--roi must be x,y,width,height in LR pixels (non-negative integers), got '${v}'`);
  const [x, y, width, height] = parts;
  return { x, y, width, height };
}

/** CLI entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('localsr').exitOverride().description('LocalSR / CLSR: super-resolve a region of interest with the whole image as context (tfjs)');
  program
    .command('upscale')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .requiredOption('--roi <x,y,w,h>', 'region of interest in LR pixels', parseRoi)
    .requiredOption('-o, --out <file>', 'output PNG (the ×4 region; "-" for stdout)')
    .option('--weights <file>', 'CLSR checkpoint (base.*/gcm.*/pim.* keys) or a plain backbone checkpoint (default: the built-in weights)')
    .option('--backbone <name>', 'edsr (SRResNet/EDSR-style, default) or rrdb', 'edsr')
    .option('--padding <n>', 'context pixels around the ROI for the base branch (default 8, or the built-in weights\' own)', cliInteger)
    .option('--no-gcm', 'switch the global context module off')
    .option('--no-pim', 'switch the proximity integration branch off')
    .option('--baseline <name>', 'run a baseline instead: pre-crop or post-crop')
    .option('--backend <name>', CLI_BACKEND_HELP, 'auto')
    .action(async (input: string, o: UpscaleCliOptions) => {
      if (o.backbone !== 'edsr' && o.backbone !== 'rrdb') throw new Error(`--backbone must be edsr or rrdb, got '${o.backbone}'`);
      if (o.baseline && o.baseline !== 'pre-crop' && o.baseline !== 'post-crop') throw new Error(`--baseline must be pre-crop or post-crop, got '${o.baseline}'`);
      const builtin = !o.weights && (await findDefaultWeights()) !== null;
      if (!o.weights && !builtin) console.error('localsr: no --weights given and the built-in weights are not installed: using randomly initialised weights (the output is not a useful SR)');
      await cliInitBackend(o.backend, { log: (l) => console.error(l) });
      const bar = new SingleBar({ format: '{stage} [{bar}] {value}/{total}', clearOnComplete: true });
      const local = await createLocalSR(
        builtin ? { weights: 'default', padding: o.padding, useGcm: o.gcm, usePim: o.pim } : { backbone: o.backbone, weights: o.weights, padding: o.padding, useGcm: o.gcm, usePim: o.pim },
      );
      try {
        bar.start(2, 0, { stage: 'context' });
        await local.prepare(input);
        bar.update(1, { stage: 'region' });
        const r = o.baseline === 'pre-crop' ? await local.preCrop(o.roi) : o.baseline === 'post-crop' ? await local.postCrop(o.roi, { tile: 128 }) : await local.upscaleRegion(o.roi);
        bar.update(2);
        bar.stop();
        await cliWriteOutput(o.out, await r.toPNG());
        if (o.out !== '-') console.log(`${o.out} (${r.width}×${r.height})`);
        r.dispose();
      } finally {
        bar.stop();
        local.dispose();
      }
    });
  return cliRun(program, argv, { name: 'localsr', log: (l) => console.error(l) });
}
