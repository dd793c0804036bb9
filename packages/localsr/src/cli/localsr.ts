/**
 * `localsr upscale <in.png> --roi x,y,w,h -o <out.png> [--weights file] [--backbone edsr|rrdb]
 * [--padding 8] [--no-gcm] [--no-pim] [--baseline pre-crop|post-crop] [--backend auto]`: super-resolves
 * one region of interest (LR pixels) of an image ×4, with the whole image as context (CLSR).
 */
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  CliArgumentError,
  cliCheckOutputFile,
  cliChoice,
  cliConfigure,
  cliImageWriterOptions,
  cliInitBackend,
  cliIntegerIn,
  cliProgress,
  cliResultToImage,
  cliRun,
  cliWriteImage,
  readImage,
  type CliImageWriterValues,
} from '@sr/core';
import { createLocalSR } from '../api.js';
import { findDefaultWeights } from '../default-weights.js';
import type { BackboneKind } from '../staged-backbone.js';
import type { Roi } from '../roi.js';

interface UpscaleCliOptions extends CliImageWriterValues {
  roi: Roi;
  out: string;
  weights?: string;
  backbone: BackboneKind;
  padding: number;
  gcm: boolean;
  pim: boolean;
  baseline?: 'pre-crop' | 'post-crop';
}

/** Parses `x,y,w,h` (non-negative integers). */
export function parseRoi(v: string): Roi {
  const parts = v.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
  if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n)) || parts[2] === 0 || parts[3] === 0)
    throw new CliArgumentError('expected x,y,width,height in LR pixels (non-negative integers, width and height ≥ 1)');
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

/** CLI entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = cliConfigure(new Command('localsr'), 'localsr', { writeErr: (s) => console.error(s.trimEnd()) }).description(
    'LocalSR / CLSR: super-resolve a region of interest with the whole image as context (tfjs)',
  );
  const upscale = program
    .command('upscale')
    .argument('<input>', 'LR image (PNG or JPEG)')
    .requiredOption('--roi <x,y,w,h>', 'region of interest in LR pixels', parseRoi)
    .requiredOption('-o, --out <file>', 'output .png or .jpg (the ×4 region; "-": PNG on stdout); its folder must exist')
    .option('--weights <file>', 'CLSR checkpoint (base.*/gcm.*/pim.* keys) or a plain backbone checkpoint (default: the built-in weights)')
    .option('--backbone <name>', 'edsr (SRResNet/EDSR-style, default) or rrdb', cliChoice(['edsr', 'rrdb'] as const), 'edsr' as BackboneKind)
    .option('--padding <n>', "context pixels around the ROI for the base branch, 0–256 (default 8, or the built-in weights' own)", cliIntegerIn({ min: 0, max: 256 }))
    .option('--no-gcm', 'switch the global context module off')
    .option('--no-pim', 'switch the proximity integration branch off')
    .option('--baseline <name>', 'run a baseline instead: pre-crop or post-crop', cliChoice(['pre-crop', 'post-crop'] as const));
  cliImageWriterOptions(upscale)
    .action(async (input: string, o: UpscaleCliOptions) => {
      await cliCheckOutputFile(o.out, { inputs: [input, o.weights], force: o.force, image: true });
      const image = await readImage(input);
      const builtin = !o.weights && (await findDefaultWeights()) !== null;
      if (!o.weights && !builtin) console.error('localsr: no --weights given and the built-in weights are not installed: using randomly initialised weights (the output is not a useful SR)');
      await cliInitBackend(o.backend, { quiet: o.quiet, log: (l) => console.error(l) });
      const bar = cliProgress({ name: 'localsr', what: 'stages', quiet: o.quiet, bar: () => new SingleBar({ format: '{stage} [{bar}] {value}/{total}', clearOnComplete: true, stream: process.stderr }) });
      const local = await createLocalSR(
        builtin ? { weights: 'default', padding: o.padding, useGcm: o.gcm, usePim: o.pim } : { backbone: o.backbone, weights: o.weights, padding: o.padding, useGcm: o.gcm, usePim: o.pim },
      );
      try {
        bar.start(2, { stage: 'context' });
        await local.prepare(image);
        bar.update(1, { stage: 'region' });
        const r = o.baseline === 'pre-crop' ? await local.preCrop(o.roi) : o.baseline === 'post-crop' ? await local.postCrop(o.roi, { tile: 128 }) : await local.upscaleRegion(o.roi);
        bar.update(2, { stage: 'done' });
        bar.stop();
        try {
          await cliWriteImage(o.out, await cliResultToImage(r, image, { bitDepth: o.bitDepth, region: o.roi }), { warn: (l) => console.error(`localsr: ${l}`) });
          if (o.out !== '-') console.log(`${o.out} (${r.width}×${r.height})`);
        } finally {
          r.dispose();
        }
      } finally {
        bar.stop();
        local.dispose();
      }
    });
  return cliRun(program, argv, { name: 'localsr', log: (l) => console.error(l) });
}
