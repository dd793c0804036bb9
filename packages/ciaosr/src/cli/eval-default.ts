import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import {
  CLI_BACKEND_HELP,
  InputError,
  cliBackend,
  cliConfigure,
  cliIntegerIn,
  cliNumberList,
  cliRun,
  imresize,
  initBackend,
  readImage,
  toTrainImage,
  type BackendName,
} from '@sr/core';
import { createLpips, psnr, ssim, type Lpips } from '@sr/metrics';
import { createUpscaler, type Upscaler } from '../upscaler.js';
import { DEFAULT_WEIGHTS_ENV, findDefaultWeights, readWeightsWithConfig } from '../default-weights.js';
import { defaultPaths, replaceBetweenMarkers } from './default-paths.js';

/** Scores of one method on one image. */
interface Scores {
  psnr: number;
  ssim: number;
  lpips: number | null;
}

/** The options of {@link evalDefaultMain}, as commander parses them. */
interface EvalDefaultOptions {
  sets: string;
  scales: number[];
  datasets: string;
  weights?: string;
  lpipsBackbone: string;
  lpipsLin: string;
  lpips: boolean;
  out: string;
  card: string;
  tile: number;
  backend: BackendName;
  threads: number;
}

/** One evaluated image at one scale. */
interface Row {
  set: string;
  image: string;
  scale: number;
  hr: [number, number];
  lr: [number, number];
  bicubic: Scores;
  ciaosr: Scores;
  seconds: number;
}

/**
 * Border excluded from PSNR/SSIM: the scale (BasicSR's `crop_border = scale`); for a non-integer
 * scale its ceiling (×3.5 → 4), since there is no official convention for it.
 */
export const evalCrop = (scale: number): number => Math.ceil(scale);

/**
 * The HR crop and LR size for one scale: integer scales mod-crop the HR to a multiple of the scale
 * (top-left, as the reference scripts) so `LR = HR / s` exactly; a non-integer scale keeps the HR
 * as it is and uses `LR = round(HR / s)`, with the output made at the HR size.
 */
export function evalGeometry(h: number, w: number, scale: number): { hr: [number, number]; lr: [number, number] } {
  if (Number.isInteger(scale)) {
    const H = h - (h % scale);
    const W = w - (w % scale);
    return { hr: [H, W], lr: [H / scale, W / scale] };
  }
  return { hr: [h, w], lr: [Math.round(h / scale), Math.round(w / scale)] };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function score(out: tf.Tensor4D, hr: tf.Tensor4D, crop: number, lpips: Lpips | null): Promise<Scores> {
  const a = tf.squeeze(out, [0]) as tf.Tensor3D;
  const b = tf.squeeze(hr, [0]) as tf.Tensor3D;
  try {
    return {
      psnr: await psnr(a, b, { cropBorder: crop, yChannel: true }),
      ssim: await ssim(a, b, { cropBorder: crop, yChannel: true }),
      lpips: lpips ? await lpips.distance(a, b) : null,
    };
  } finally {
    tf.dispose([a, b]);
  }
}

/** Evaluates one HR image at one scale: LR by MATLAB bicubic (8-bit), then bicubic and CiaoSR back to HR size. */
async function evalImage(sr: Upscaler, file: string, scale: number, lpips: Lpips | null, tile: number): Promise<Omit<Row, 'set' | 'image'>> {
  const img = toTrainImage(await readImage(file));
  const { hr: [H, W], lr: [h, w] } = evalGeometry(img.height, img.width, scale);
  const t0 = Date.now();
  const full = tf.tensor4d(img.data, [1, img.height, img.width, 3]);
  const hr = tf.slice(full, [0, 0, 0, 0], [1, H, W, 3]);
  // The LR image is stored as 8 bits, as benchmark LR PNGs are.
  const lr = tf.tidy(() => tf.div(tf.round(tf.mul(tf.clipByValue(imresize(hr, { height: h, width: w }), 0, 1), 255)), 255) as tf.Tensor4D);
  const bic = tf.tidy(() => tf.clipByValue(imresize(lr, { height: H, width: W }), 0, 1) as tf.Tensor4D);
  const up = await sr.upscale(lr, { scale: { width: W, height: H }, tile });
  const out = tf.expandDims(up.toTensor(), 0) as tf.Tensor4D;
  up.dispose();
  try {
    const crop = evalCrop(scale);
    return { scale, hr: [H, W], lr: [h, w], bicubic: await score(bic, hr, crop, lpips), ciaosr: await score(out, hr, crop, lpips), seconds: (Date.now() - t0) / 1000 };
  } finally {
    tf.dispose([full, hr, lr, bic, out]);
  }
}

/** Mean scores per (set, scale) as a Markdown table. */
export function evalMarkdown(rows: Row[], note: string): string {
  const lines = [note, '', '| set | scale | PSNR-Y bicubic | PSNR-Y CiaoSR | SSIM-Y bicubic | SSIM-Y CiaoSR | LPIPS-alex bicubic | LPIPS-alex CiaoSR | images |', '|---|---|---|---|---|---|---|---|---|'];
  const keys = [...new Set(rows.map((r) => `${r.set}|${r.scale}`))];
  const f = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
  for (const k of keys) {
    const rs = rows.filter((r) => `${r.set}|${r.scale}` === k);
    const m = (g: (r: Row) => number | null) => (rs.some((r) => g(r) === null) ? null : mean(rs.map((r) => g(r)!)));
    lines.push(
      `| ${rs[0].set} | ×${rs[0].scale} | ${f(m((r) => r.bicubic.psnr), 2)} | ${f(m((r) => r.ciaosr.psnr), 2)} | ${f(m((r) => r.bicubic.ssim), 4)} | ${f(m((r) => r.ciaosr.ssim), 4)} | ` +
        `${f(m((r) => r.bicubic.lpips), 4)} | ${f(m((r) => r.ciaosr.lpips), 4)} | ${rs.length} |`,
    );
  }
  return lines.join('\n');
}

/**
 * `npm run eval:default -w @sr/ciaosr` — the default weights vs bicubic on Set5 and Set14 at ×2, ×3,
 * ×4 and ×3.5: Y-channel PSNR/SSIM with a `ceil(scale)` border crop (BasicSR) and LPIPS-alex on RGB.
 * Writes `bench/results/default-eval.json` and the model card's eval table.
 */
export async function evalDefaultMain(argv: string[], packageDir?: string): Promise<number> {
  const p = defaultPaths(packageDir);
  const program = cliConfigure(new Command('eval-default'), 'eval-default');
  program
    .option('--sets <list>', 'datasets (folders of --datasets)', 'set5,set14')
    .option('--scales <list>', 'scales', cliNumberList({ above: 1, max: 64 }), [2, 3, 4, 3.5])
    .option('--datasets <dir>', 'folder holding the sets', p.datasets)
    .option('--weights <file>', `CiaoSR weights with a stored configuration (default: the built-in weights or $${DEFAULT_WEIGHTS_ENV})`)
    .option('--lpips-backbone <file>', 'torchvision AlexNet features', path.join(p.sharedWeights, 'torchvision', 'alexnet-features.pth'))
    .option('--lpips-lin <file>', 'LPIPS v0.1 alex lin weights', path.join(p.sharedWeights, 'lpips', 'v0.1', 'alex.pth'))
    .option('--no-lpips', 'skip LPIPS')
    .option('--out <file>', 'JSON results', path.join(p.results, 'default-eval.json'))
    .option('--card <file>', 'model card whose eval markers are filled ("none" to skip)', p.modelCard)
    .option('--tile <n>', 'LR tile size', cliIntegerIn({ min: 1 }), 64)
    .option('--backend <name>', CLI_BACKEND_HELP, cliBackend, 'wasm' as BackendName)
    .option('--threads <n>', 'wasm threads', cliIntegerIn({ min: 1 }), 2)
    .action((o: EvalDefaultOptions) => evalDefault(o));
  return cliRun(program, argv, { name: 'eval-default' });
}

async function evalDefault(o: EvalDefaultOptions): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const report = await initBackend(o.backend, { wasmThreads: o.threads });
  log(`backend: ${report.summary}`);
  const weightsFile = o.weights ?? (await findDefaultWeights());
  const w = weightsFile ? await readWeightsWithConfig(weightsFile) : null;
  if (w && !w.config) throw new InputError(`${weightsFile} stores no model configuration`, 'E_WEIGHTS_CONFIG');
  const sr = w
    ? await createUpscaler({ weights: w.stateDict, backbone: w.config!.backbone, backboneOptions: { feats: w.config!.feats, blocks: w.config!.blocks }, head: { hiddenList: w.config!.hidden } })
    : await createUpscaler(); // throws the "how to train them" error
  const lpips = o.lpips ? await createLpips({ net: 'alex', backboneWeights: o.lpipsBackbone, linWeights: o.lpipsLin }) : null;
  const scales = o.scales;
  const rows: Row[] = [];
  const t0 = Date.now();
  try {
    for (const set of String(o.sets).split(',')) {
      const dir = path.join(o.datasets, set);
      const files = fs.readdirSync(dir).filter((f) => /\.png$/i.test(f)).sort();
      for (const scale of scales)
        for (const f of files) {
          const r = { set, image: f.replace(/\.png$/i, ''), ...(await evalImage(sr, path.join(dir, f), scale, lpips, o.tile)) };
          rows.push(r);
          log(`${set}/${r.image} ×${scale}: PSNR-Y ${r.bicubic.psnr.toFixed(2)} → ${r.ciaosr.psnr.toFixed(2)}, SSIM ${r.bicubic.ssim.toFixed(4)} → ${r.ciaosr.ssim.toFixed(4)}` +
            `${r.ciaosr.lpips === null ? '' : `, LPIPS ${r.bicubic.lpips!.toFixed(4)} → ${r.ciaosr.lpips.toFixed(4)}`} (${r.seconds.toFixed(1)} s)`);
        }
    }
  } finally {
    sr.dispose();
    lpips?.dispose();
  }
  const seconds = (Date.now() - t0) / 1000;
  const meta = { weights: weightsFile, config: w?.config, train: w?.metadata.ciaosr_train ? JSON.parse(w.metadata.ciaosr_train) : null, backend: report.summary, date: new Date().toISOString(), seconds };
  const protocol =
    'HR mod-cropped (top-left) to a multiple of integer scales; LR = MATLAB bicubic imresize (antialiased), stored as 8 bits; ' +
    '×3.5: HR uncropped, LR = round(HR/3.5), output at HR size. PSNR/SSIM on Y (BT.601), border crop = scale (×3.5: 4); LPIPS-alex v0.1 on RGB. Bicubic = MATLAB imresize of the LR to HR size.';
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify({ ...meta, protocol, rows }, null, 2) + '\n');
  log(`wrote ${o.out} (${seconds.toFixed(0)} s)`);
  if (o.card !== 'none' && fs.existsSync(o.card)) {
    const note = `Evaluated ${meta.date.slice(0, 10)} on ${report.summary} in ${(seconds / 60).toFixed(1)} min (\`npm run eval:default -w @sr/ciaosr\`; per-image numbers in \`bench/results/default-eval.json\`).`;
    replaceBetweenMarkers(o.card, 'eval', evalMarkdown(rows, note));
    log(`filled the eval table of ${o.card}`);
  }
}
