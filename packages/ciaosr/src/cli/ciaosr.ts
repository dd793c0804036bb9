import * as fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import cliProgress from 'cli-progress';
import { InputError, SrError, initBackend, type BackendName } from '@sr/core';
import { createUpscaler, type Upscaler } from '../upscaler.js';
import { trainCiaoSR } from '../train.js';
import { runBenchmark } from '../benchmark.js';
import type { CiaoSRBackboneName } from '../backbones.js';
import { DEFAULT_WEIGHTS_ENV, SAMPLE_IMAGE_FILE, findPackageFile, readWeightsWithConfig } from '../default-weights.js';
import { bicubicPng } from './bicubic-png.js';
import { num } from './options.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

function parseScale(o: { scale?: string; width?: number; height?: number }): number | [number, number] | { width: number; height: number } {
  if (o.width !== undefined || o.height !== undefined) {
    if (o.width === undefined || o.height === undefined) throw new CommanderError(2, 'E_ARG', '--width and --height go together');
    return { width: o.width, height: o.height };
  }
  if (!o.scale) throw new CommanderError(2, 'E_ARG', 'give --scale (e.g. 3.7 or 2x3) or --width/--height');
  const parts = o.scale.toLowerCase().split('x').map(Number);
  return parts.length === 2 ? [parts[0], parts[1]] : parts[0];
}

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
  const program = new Command('ciaosr')
    .description('CiaoSR arbitrary-scale super-resolution (Cao et al., CVPR 2023)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('upscale')
    .description('upscale an image; with no input, the built-in sample photo (writes sample-x<s>.png and sample-bicubic-x<s>.png)')
    .argument('[input]', 'PNG/JPEG file, "-" for stdin (default: the built-in sample image)')
    .option('-o, --output <file>', 'output PNG ("-" for stdout); required with an input')
    .option('-s, --scale <s>', 'scale factor > 1 (e.g. 3.7), or SYxSX (default 3 for the sample)')
    .option('--width <n>', 'exact output width', num)
    .option('--height <n>', 'exact output height', num)
    .option('-w, --weights <file>', `CiaoSR checkpoint (.pth as released or .safetensors); default: built-in weights (or $${DEFAULT_WEIGHTS_ENV})`)
    .option('--backbone <name>', 'edsr-baseline | rdn | rrdbnet (checkpoints without a stored configuration)', 'edsr-baseline')
    .option('--tile <n>', 'LR tile size (bounds memory)', num, 64)
    .option('--attention-margin <n>', 'non-local attention context around each tile (LR px)', num, 16)
    .option('--chunk <n>', 'HR queries decoded per step', num, 2048)
    .option('--backend <name>', 'auto | webgpu | wasm | cpu', 'auto')
    .option('-q, --quiet', 'no progress bar')
    .action(async (input: string | undefined, o) => {
      const sample = input === undefined;
      if (!sample && !o.output) throw new InputError('give -o/--output (a PNG path, or "-" for stdout)', 'E_ARG');
      if (sample && !o.scale && o.width === undefined && o.height === undefined) o.scale = '3';
      const samplePath = sample ? await findPackageFile(SAMPLE_IMAGE_FILE) : null;
      if (sample && !samplePath) throw new InputError(`the built-in sample image (${SAMPLE_IMAGE_FILE}) is not installed: give an input file`);
      const scale = parseScale(o);
      const report = await initBackend(o.backend as BackendName);
      if (!o.quiet) process.stderr.write(`backend: ${report.summary}\n`);
      const sr = await loadUpscaler(o.weights, o.backbone);
      const bar = o.quiet ? null : new cliProgress.SingleBar({ format: 'upscaling [{bar}] {percentage}% | {value}/{total} px | tile {tile}', stream: process.stderr }, cliProgress.Presets.shades_classic);
      try {
        const image = sample ? new Uint8Array(fs.readFileSync(samplePath!)) : input === '-' ? await readStdin() : input;
        let started = false;
        const out = await sr.upscale(image, {
          scale,
          tile: o.tile,
          attentionMargin: o.attentionMargin,
          chunkSize: o.chunk,
          onProgress: (p) => {
            if (!bar || p.stage !== 'decode') return;
            if (!started) bar.start(p.total, 0, { tile: '' });
            started = true;
            bar.update(p.done, { tile: `${p.tile + 1}/${p.tiles}` });
          },
        });
        bar?.stop();
        const tag = o.scale ? `x${o.scale}` : `${out.width}x${out.height}`;
        const file: string = o.output ?? `sample-${tag}.png`;
        const png = await out.toPNG();
        if (file === '-') process.stdout.write(png);
        else fs.writeFileSync(file, png);
        if (!o.quiet) process.stderr.write(`wrote ${file} (${out.width}×${out.height})\n`);
        if (sample && file !== '-') {
          // The "before" image: plain bicubic to the same size, for a side-by-side comparison.
          const before = o.output ? file.replace(/(\.png)?$/i, '-bicubic.png') : `sample-bicubic-${tag}.png`;
          fs.writeFileSync(before, await bicubicPng(image, out.height, out.width));
          if (!o.quiet) process.stderr.write(`wrote ${before} (bicubic, for comparison)\n`);
        }
        out.dispose();
      } finally {
        bar?.stop();
        sr.dispose();
      }
    });

  program
    .command('train')
    .requiredOption('--data <dir>', 'folder of HR PNG/JPEG images (e.g. DIV2K_train_HR)')
    .requiredOption('--steps <n>', 'total optimisation steps (official: 1000000)', num)
    .requiredOption('--out <file>', 'checkpoint .safetensors (+ .json sidecar, + .optim.safetensors)')
    .option('--resume <file>', 'checkpoint to resume from')
    .option('--backbone <name>', 'edsr-baseline | rdn | rrdbnet', 'edsr-baseline')
    .option('--feats <n>', 'backbone channels', num, 64)
    .option('--blocks <n>', 'backbone blocks', num, 16)
    .option('--hidden <list>', 'MLP hidden sizes, comma separated', '256,256,256,256')
    .option('--batch <n>', 'batch size', num, 16)
    .option('--patch <n>', 'LR crop size', num, 48)
    .option('--samples <n>', 'HR pixels sampled per crop (default patch²)', num)
    .option('--lr <x>', 'Adam learning rate', num, 1e-4)
    .option('--seed <n>', 'random seed', num, 0)
    .option('--save-every <n>', 'checkpoint every N steps', num)
    .option('--backend <name>', 'auto | webgpu | wasm | cpu', 'auto')
    .option('-q, --quiet', 'no progress bar')
    .action(async (o) => {
      const report = await initBackend(o.backend as BackendName);
      if (!o.quiet) process.stderr.write(`backend: ${report.summary}\n`);
      const bar = o.quiet ? null : new cliProgress.SingleBar({ format: 'training [{bar}] {value}/{total} | loss {loss} | lr {lr}', stream: process.stderr }, cliProgress.Presets.shades_classic);
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
          hidden: String(o.hidden).split(',').map(Number),
          batchSize: o.batch,
          inpSize: o.patch,
          sampleQ: o.samples ?? o.patch * o.patch,
          lr: o.lr,
          seed: o.seed,
          saveEvery: o.saveEvery,
          onStep: (s, loss, lr) => {
            if (!bar) return;
            if (!started) bar.start(o.steps, s - 1, { loss: '', lr: '' });
            started = true;
            bar.update(s, { loss: loss.toFixed(4), lr: lr.toExponential(1) });
          },
        });
        bar?.stop();
        if (!o.quiet) process.stderr.write(`saved ${o.out} at step ${step}\n`);
        model.dispose();
      } finally {
        bar?.stop();
      }
    });

  program
    .command('bench')
    .description('time and peak memory of ×2/×4/×8 on 128² and 512² inputs per backend')
    .option('--backends <list>', 'comma separated', 'wasm,cpu')
    .option('--sizes <list>', 'LR sizes', '128,512')
    .option('--scales <list>', 'scales', '2,4,8')
    .option('--tile <n>', 'LR tile size', num, 64)
    .option('--budget <s>', 'seconds per configuration before aborting (projected time is reported)', num, 60)
    .option('--out <file>', 'JSON output', 'bench/results/ciaosr.json')
    .action(async (o) => {
      const list = (v: string) => v.split(',').map((x) => x.trim());
      const result = await runBenchmark({
        backends: list(o.backends) as BackendName[],
        sizes: list(o.sizes).map(Number),
        scales: list(o.scales).map(Number),
        tile: o.tile,
        budgetSeconds: o.budget,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      const path = await import('node:path');
      fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
      fs.writeFileSync(o.out, JSON.stringify(result, null, 2));
      process.stderr.write(`wrote ${o.out}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : e.exitCode || 2;
    if (e instanceof SrError) {
      process.stderr.write(`ciaosr: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
