/**
 * VSpSR benchmark (runs from the built package as `vspsr bench`, or `bench/bench.ts`):
 *  1. time per sample of the full-size model (256 atoms, random weights) at ×4/×8, with no CEM, the
 *     MATLAB-kernel CEM and the official OpenCV-kernel CEM;
 *  2. LR-PSNR (NTIRE 2021 scorer, `@sr/metrics` lrPsnr) of CEM outputs with the MATLAB vs the OpenCV
 *     kernel on Set5, for generator outputs that ignore the LR (uniform noise) and that roughly
 *     follow it (bilinear upscale + Gaussian noise σ = 0.1).
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imresizeArray, initBackend, readImage, tensorToImage, type BackendName, type ImageArray } from '@sr/core';
import { lrPsnr } from '@sr/metrics';
import { VSPSR } from './vspsr.js';
import { createVSpSR } from './api.js';
import { MatlabCem } from './cem/cem-matlab.js';
import { OpenCvCem } from './cem/cem-opencv.js';

/** Options of {@link runBenchmark}. */
export interface VSpSRBenchOptions {
  backend?: BackendName;
  scales?: (4 | 8)[];
  /** LR sizes (square) for the timing part. Default [32, 64]. */
  lrSizes?: number[];
  /** Atoms per channel of the timed model. Default 256 (the paper's). */
  nBasis?: number;
  /** Samples per timing. Default 3. */
  count?: number;
  /** Folder with Set5 PNGs. Default: `$SR_SHARED/datasets/set5` or `../shared/datasets/set5` upwards. */
  datasetDir?: string;
  /** Skip the LR-PSNR part. */
  noLrPsnr?: boolean;
  log?: (line: string) => void;
}

function findSet5(): string {
  const roots = process.env.SR_SHARED ? [process.env.SR_SHARED] : [];
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    roots.push(path.join(d, 'shared'), path.join(path.dirname(d), 'shared'));
    if (path.dirname(d) === d) break;
  }
  for (const r of roots) if (fs.existsSync(path.join(r, 'datasets', 'set5'))) return path.join(r, 'datasets', 'set5');
  throw new Error('Set5 not found: pass datasetDir or set SR_SHARED (expects <shared>/datasets/set5)');
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const now = () => performance.now();

/** Top-left crop of an RGB image to multiples of 8 (the NTIRE scorer's GT crop). */
function crop8(img: ImageArray): ImageArray {
  const H = Math.floor(img.height / 8) * 8;
  const W = Math.floor(img.width / 8) * 8;
  const c = img.channels;
  const data = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let k = 0; k < 3; k++) data[(y * W + x) * 3 + k] = img.data[(y * img.width + x) * c + (c >= 3 ? k : 0)];
  return { width: W, height: H, channels: 3, bitDepth: 8, data };
}

/** Runs the benchmark and returns a JSON-ready record. */
export async function runBenchmark(opts: VSpSRBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? (() => {});
  const report = await initBackend(opts.backend ?? 'auto');
  log(report.summary);
  const scales = opts.scales ?? [4, 8];
  const sizes = opts.lrSizes ?? [32, 64];
  const nBasis = opts.nBasis ?? 256;
  const count = opts.count ?? 3;
  const timing: Record<string, unknown>[] = [];
  for (const scale of scales) {
    const m = new VSPSR({ scale, nBasis, upsample: true, mode: scale === 8 ? 'bicubic' : 'bilinear' });
    const v = await createVSpSR({ weights: await m.stateDict() });
    m.dispose();
    for (const size of sizes) {
      const lr = tf.randomUniform([1, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      (await v.sample(lr, { count: 1, cem: false })).forEach((s) => s.dispose()); // warm-up
      const row: Record<string, unknown> = { scale, lrSize: size, nBasis, count };
      for (const cem of [false, 'matlab', 'opencv'] as const) {
        const t0 = now();
        const out = await v.sample(lr, { count, seed: 1, cem });
        const t = (now() - t0) / count;
        out.forEach((s) => s.dispose());
        row[`msPerSample_${cem || 'noCem'}`] = Math.round(t);
        log(`×${scale} LR ${size}² n=${nBasis}: ${cem || 'no CEM'} ${t.toFixed(0)} ms/sample`);
      }
      timing.push(row);
      lr.dispose();
    }
    v.dispose();
  }

  const lrPsnrRows: Record<string, unknown>[] = [];
  const summary: Record<string, number> = {};
  if (!opts.noLrPsnr) {
    const dir = opts.datasetDir ?? findSet5();
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    for (const scale of scales) {
      const matlab = new MatlabCem(scale);
      const opencv = new OpenCvCem(scale);
      const acc: Record<string, number[]> = {};
      for (const name of names) {
        const gt = crop8(await readImage(path.join(dir, name)));
        const r = imresizeArray({ data: gt.data, height: gt.height, width: gt.width, channels: 3 }, 1 / scale);
        const lr = tf.tensor4d(Float32Array.from(r.data, (x) => Math.min(255, Math.max(0, Math.round(x))) / 255), [1, r.height, r.width, 3]);
        const gens: Record<string, tf.Tensor4D> = {
          noise: tf.randomUniform([1, gt.height, gt.width, 3], 0, 1, 'float32', 7) as tf.Tensor4D,
          upscaledPlusNoise: tf.tidy(() =>
            tf.add(tf.image.resizeBilinear(lr, [gt.height, gt.width], false, true), tf.randomNormal([1, gt.height, gt.width, 3], 0, 0.1, 'float32', 8)),
          ) as tf.Tensor4D,
        };
        for (const [gname, gen] of Object.entries(gens)) {
          const row: Record<string, unknown> = { image: name, scale, generator: gname };
          const outs: Record<string, tf.Tensor4D> = {
            none: tf.clone(gen),
            opencv: opencv.apply(gen, lr),
          };
          let t0 = now();
          outs.matlab = await matlab.apply(gen, lr);
          row.matlabMs = Math.round(now() - t0);
          row.matlabRounds = matlab.lastReport?.iterations;
          for (const [k, t] of Object.entries(outs)) {
            t0 = now();
            const v = await lrPsnr(tensorToImage(t), gt, scale);
            row[`lrPsnr_${k}`] = Number(v.toFixed(2));
            (acc[`${gname}_${k}`] ??= []).push(v);
            t.dispose();
          }
          log(`×${scale} ${name} ${gname}: LR-PSNR none ${row.lrPsnr_none} / OpenCV CEM ${row.lrPsnr_opencv} / MATLAB CEM ${row.lrPsnr_matlab} dB`);
          lrPsnrRows.push(row);
          gen.dispose();
        }
        lr.dispose();
      }
      for (const [k, xs] of Object.entries(acc)) summary[`x${scale}_${k}_meanLrPsnr`] = Number(mean(xs).toFixed(2));
      for (const [k, xs] of Object.entries(acc)) summary[`x${scale}_${k}_worstLrPsnr`] = Number(Math.min(...xs).toFixed(2));
      matlab.dispose();
      opencv.dispose();
    }
  }
  return {
    package: '@sr/vspsr',
    date: new Date().toISOString(),
    environment: { backend: report.backend, backendSummary: report.summary, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    notes:
      'Random weights (no official checkpoint is public). LR-PSNR = NTIRE 2021 scorer (uint8 MATLAB-bicubic port, GT cropped to ×8, RGB, no border crop); LR input = round(MATLAB imresize(GT, 1/s)).',
    timing,
    lrPsnr: lrPsnrRows,
    summary,
  };
}
