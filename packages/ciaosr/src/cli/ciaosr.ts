import * as fs from 'node:fs';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  CLI_BACKEND_HELP,
  CliUsageError,
  cliImageWriterOptions,
  cliCheckOutputFile,
  cliCheckOutputSize,
  cliConfigure,
  cliIntegerIn,
  cliIntegerList,
  cliNumberIn,
  cliNumberList,
  cliProgress as makeProgress,
  cliReadStdin,
  cliResultToImage,
  cliRun,
  cliScale,
  cliWriteImage,
  cliInteger,
  CLI_MAX_OUTPUT_SIDE,
  initBackend,
  readImage,
  decodeImage,
  InputError,
  type BackendName,
  type ImageArray,
  cliBackend,
} from '@sr/core';
import { createUpscaler, outputSize, type Upscaler, type UpscaleOptions } from '../upscaler.js';
import { trainCiaoSR } from '../train.js';
import { runBenchmark } from '../benchmark.js';
import type { CiaoSRBackboneName } from '../backbones.js';
import { DEFAULT_WEIGHTS_ENV, SAMPLE_IMAGE_FILE, findPackageFile, readWeightsWithConfig } from '../default-weights.js';
import { bicubicPng } from './bicubic-png.js';

/** The scale of `upscale`: `-s` (parsed by `cliScale`) or `--width` and `--height` together, never both. */
function resolveScale(o: { scale?: number | [number, number]; width?: number; height?: number }): UpscaleOptions['scale'] {
  if (o.width !== undefined || o.height !== undefined) {
    if (o.width === undefined || o.height === undefined) throw new CliUsageError('--width and --height go together');
    if (o.scale !== undefined) throw new CliUsageError('give either --scale or --width/--height, not both');
    return { width: o.width, height: o.height };
  }
  if (o.scale === undefined) throw new CliUsageError('give --scale (e.g. 3.7 or 2x3) or --width and --height');
  return o.scale;
}

/** `x3`, `x2x3` or `800x600`: the tag of the sample's default output names. */
const scaleTag = (o: { scale?: number | [number, number] }, w: number, h: number) =>
  o.scale === undefined ? `${w}x${h}` : Array.isArray(o.scale) ? `x${o.scale[0]}x${o.scale[1]}` : `x${o.scale}`;

/**
 * The model for `upscale`: the built-in weights (their stored configuration) without `--weights`;
 * otherwise the file, built from the configuration stored with it (safetensors metadata or the
 * `ciaosr train` sidecar), else from `--backbone` with the official sizes (released `.pth`).
 */
async function loadUpscaler(weights: string | undefined, backbone: string): Promise<Upscaler> {
  if (!weights) return createUpscaler();
  const w = await readWeightsWithConfig(weights);
  const c = w.config;
  return createUpscaler({
    weights: w.stateDict,
    backbone: (c?.backbone ?? backbone) as CiaoSRBackboneName,
    backboneOptions: c ? { feats: c.feats, blocks: c.blocks } : undefined,
    head: c ? { hiddenList: c.hidden } : undefined,
  });
}

/** `ciaosr upscale|train|bench …`; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = cliConfigure(new Command('ciaosr'), 'ciaosr').description('CiaoSR arbitrary-scale super-resolution (Cao et al., CVPR 2023)');

  const upscale = program
    .command('upscale')
    .description('upscale an image; with no input, the built-in sample photo (writes sample-x<s>.png and sample-bicubic-x<s>.png)')
    .argument('[input]', 'PNG/JPEG file, "-" for stdin (default: the built-in sample image)')
    .option('-o, --output <file>', 'output .png or .jpg ("-": PNG on stdout); required with an input; its folder must exist')
    .option('-s, --scale <s>', `scale factor > 1 and ≤ 64 (e.g. 3.7), or SYxSX (default 3 for the sample)`, cliScale)
    .option('--width <n>', 'exact output width (with --height)', cliIntegerIn({ min: 1, max: CLI_MAX_OUTPUT_SIDE }))
    .option('--height <n>', 'exact output height (with --width)', cliIntegerIn({ min: 1, max: CLI_MAX_OUTPUT_SIDE }))
    .option('-w, --weights <file>', `CiaoSR checkpoint (.pth as released or .safetensors); default: built-in weights (or $${DEFAULT_WEIGHTS_ENV})`)
    .option('--backbone <name>', 'edsr-baseline | rdn | rrdbnet (checkpoints without a stored configuration)', 'edsr-baseline')
    .option('--tile <n>', 'LR tile size, 4–2048 (bounds memory)', cliIntegerIn({ min: 4, max: 2048 }), 64)
    .option('--attention-margin <n>', 'non-local attention context around each tile (LR px), 0–1024', cliIntegerIn({ min: 0, max: 1024 }), 16)
    .option('--chunk <n>', 'HR queries decoded per step, 1–1048576 (default: 512 on wasm/cpu, 2048 on webgpu)', cliIntegerIn({ min: 1, max: 1 << 20 }));
  cliImageWriterOptions(upscale)
    .action(async (input: string | undefined, o) => {
      const sample = input === undefined;
      if (!sample && !o.output) throw new CliUsageError('give -o/--output (a .png/.jpg path, or "-" for stdout)');
      if (sample && o.scale === undefined && o.width === undefined && o.height === undefined) o.scale = 3;
      const scale = resolveScale(o);
      const samplePath = sample ? await findPackageFile(SAMPLE_IMAGE_FILE) : null;
      if (sample && !samplePath) throw new InputError(`the built-in sample image (${SAMPLE_IMAGE_FILE}) is not installed: give an input file`);
      // Everything that can be checked before the model is loaded: the input decodes, the output size
      // is within bounds, the output file can be written (and is not the input).
      const image: ImageArray = sample ? await readImage(samplePath!) : input === '-' ? await decodeImage(await cliReadStdin()) : await readImage(input);
      const [outH, outW] = outputSize(image.height, image.width, scale);
      cliCheckOutputSize(outW, outH);
      const tag = scaleTag(o, outW, outH);
      const file: string = o.output ?? `sample-${tag}.png`;
      await cliCheckOutputFile(file, { inputs: [input], force: o.force, image: true });
      const before = sample && file !== '-' ? (o.output ? file.replace(/(\.(png|jpe?g))?$/i, '-bicubic.png') : `sample-bicubic-${tag}.png`) : null;
      if (before) await cliCheckOutputFile(before, { image: true });
      const report = await initBackend(o.backend as BackendName);
      if (!o.quiet) process.stderr.write(`backend: ${report.summary}\n`);
      const sr = await loadUpscaler(o.weights, o.backbone);
      const progress = makeProgress({
        name: 'ciaosr',
        what: 'upscaling (px)',
        quiet: o.quiet,
        bar: () => new cliProgress.SingleBar({ format: 'upscaling [{bar}] {percentage}% | {value}/{total} px | tile {tile}', stream: process.stderr }, cliProgress.Presets.shades_classic),
      });
      try {
        let started = false;
        const out = await sr.upscale(image, {
          scale,
          tile: o.tile,
          attentionMargin: o.attentionMargin,
          chunkSize: o.chunk,
          onProgress: (p) => {
            if (p.stage !== 'decode') return;
            if (!started) progress.start(p.total, { tile: '' });
            started = true;
            progress.update(p.done, { tile: `${p.tile + 1}/${p.tiles}` });
          },
        });
        progress.stop();
        try {
          await cliWriteImage(file, await cliResultToImage(out, image, { bitDepth: o.bitDepth }), { warn: (l) => process.stderr.write(`ciaosr: ${l}\n`) });
          if (!o.quiet) process.stderr.write(`wrote ${file} (${out.width}×${out.height})\n`);
          if (before) {
            // The "before" image: plain bicubic to the same size, for a side-by-side comparison.
            fs.writeFileSync(before, await bicubicPng(image, out.height, out.width));
            if (!o.quiet) process.stderr.write(`wrote ${before} (bicubic, for comparison)\n`);
          }
        } finally {
          out.dispose();
        }
      } finally {
        progress.stop();
        sr.dispose();
      }
    });

  program
    .command('train')
    .requiredOption('--data <dir>', 'folder of HR PNG/JPEG images (e.g. DIV2K_train_HR)')
    .requiredOption('--steps <n>', 'total optimisation steps (official: 1000000)', cliIntegerIn({ min: 1, max: 1e9 }))
    .requiredOption('--out <file>', 'checkpoint .safetensors (+ .json sidecar, + .optim.safetensors); its folder must exist')
    .option('--resume <file>', 'checkpoint to resume from')
    .option('--backbone <name>', 'edsr-baseline | rdn | rrdbnet', 'edsr-baseline')
    .option('--feats <n>', 'backbone channels, 1–1024', cliIntegerIn({ min: 1, max: 1024 }), 64)
    .option('--blocks <n>', 'backbone blocks, 1–256', cliIntegerIn({ min: 1, max: 256 }), 16)
    .option('--hidden <list>', 'MLP hidden sizes, comma separated, each 1–4096', cliIntegerList({ min: 1, max: 4096 }), [256, 256, 256, 256])
    .option('--batch <n>', 'batch size, 1–1024', cliIntegerIn({ min: 1, max: 1024 }), 16)
    .option('--patch <n>', 'LR crop size, 2–1024', cliIntegerIn({ min: 2, max: 1024 }), 48)
    .option('--samples <n>', 'HR pixels sampled per crop, ≥ 1 (default patch²)', cliIntegerIn({ min: 1, max: 1 << 24 }))
    .option('--lr <x>', 'Adam learning rate, > 0 and ≤ 1', cliNumberIn({ above: 0, max: 1 }), 1e-4)
    .option('--seed <n>', 'random seed', cliInteger, 0)
    .option('--save-every <n>', 'checkpoint every N steps, ≥ 1', cliIntegerIn({ min: 1, max: 1e9 }))
    .option('--backend <name>', CLI_BACKEND_HELP, cliBackend, 'auto' as BackendName)
    .option('-q, --quiet', 'no progress')
    .action(async (o) => {
      await cliCheckOutputFile(o.out, { inputs: [o.resume], force: true });
      const report = await initBackend(o.backend as BackendName);
      if (!o.quiet) process.stderr.write(`backend: ${report.summary}\n`);
      const bar = makeProgress({
        name: 'ciaosr',
        what: 'training steps',
        quiet: o.quiet,
        bar: () => new cliProgress.SingleBar({ format: 'training [{bar}] {value}/{total} | loss {loss} | lr {lr}', stream: process.stderr }, cliProgress.Presets.shades_classic),
      });
      let started = false;
      try {
        const { model, step } = await trainCiaoSR({
          data: o.data,
          steps: o.steps,
          out: o.out,
          resume: o.resume,
          backbone: o.backbone,
          feats: o.feats,
          blocks: o.blocks,
          hidden: o.hidden,
          batchSize: o.batch,
          inpSize: o.patch,
          sampleQ: o.samples ?? o.patch * o.patch,
          lr: o.lr,
          seed: o.seed,
          saveEvery: o.saveEvery,
          onStep: (s, loss, lr) => {
            if (!started) bar.start(o.steps, { loss: '', lr: '' });
            started = true;
            bar.update(s, { loss: loss.toFixed(4), lr: lr.toExponential(1) });
          },
        });
        bar.stop();
        if (!o.quiet) process.stderr.write(`saved ${o.out} at step ${step}\n`);
        model.dispose();
      } finally {
        bar.stop();
      }
    });

  program
    .command('bench')
    .description('time and peak memory of ×2/×4/×8 on 128² and 512² inputs per backend')
    .option('--backends <list>', 'comma separated', 'wasm,cpu')
    .option('--sizes <list>', 'LR sizes', cliIntegerList({ min: 1, max: 4096 }), [128, 512])
    .option('--scales <list>', 'scales', cliNumberList({ above: 1, max: 64 }), [2, 4, 8])
    .option('--tile <n>', 'LR tile size', cliIntegerIn({ min: 4, max: 2048 }), 64)
    .option('--budget <s>', 'seconds per configuration before aborting (projected time is reported)', cliNumberIn({ above: 0 }), 60)
    .option('--out <file>', 'JSON output', 'bench/results/ciaosr.json')
    .action(async (o) => {
      const list = (v: string) => v.split(',').map((x) => x.trim());
      const result = await runBenchmark({
        backends: list(o.backends) as BackendName[],
        sizes: o.sizes,
        scales: o.scales,
        tile: o.tile,
        budgetSeconds: o.budget,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      const path = await import('node:path');
      fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
      fs.writeFileSync(o.out, JSON.stringify(result, null, 2));
      process.stderr.write(`wrote ${o.out}\n`);
    });

  return cliRun(program, argv, { name: 'ciaosr' });
}
