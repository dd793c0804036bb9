/**
 * Evaluation of the built-in weights (`npm run eval:builtin -w @sr/vspsr`), Node only: on Set5 ×4 (HR
 * cropped top-left to a multiple of 8 as NTIRE's measure.py does; LR = MATLAB bicubic, 8 bits),
 * 10 samples per image (seeds 0–9, MATLAB-kernel CEM): the NTIRE 2021 diversity score and LR-PSNR
 * (`@sr/metrics` ntireScores, LPIPS-alex), the mean PSNR-Y of the samples and the PSNR-Y of their
 * average (border 4), against bicubic.
 * Writes `bench/results/builtin-eval.json` and the model card's eval table.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, imresize, initBackend, readImage, tensorToImage, type BackendName, type ImageArray } from '@sr/core';
import { createLpips, ntireScores, psnr } from '@sr/metrics';
import { createVSpSR } from './api.js';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(pkg, '..', '..', '..', 'shared');
const argv = process.argv.slice(2);
const arg = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);

async function psnrY(a: tf.Tensor4D, b: tf.Tensor4D): Promise<number> {
  const [x, y] = [tf.squeeze(a, [0]) as tf.Tensor3D, tf.squeeze(b, [0]) as tf.Tensor3D];
  try {
    return await psnr(x, y, { cropBorder: 4, yChannel: true });
  } finally {
    tf.dispose([x, y]);
  }
}

async function main(): Promise<void> {
  await initBackend((arg('--backend') ?? 'wasm') as BackendName, { wasmThreads: Number(arg('--threads') ?? 1) });
  const count = Number(arg('--count') ?? 10);
  const v = await createVSpSR({ weights: arg('--weights') ?? 'default' });
  const lpips = await createLpips({ net: 'alex', backboneWeights: path.join(shared, 'weights', 'torchvision', 'alexnet-features.pth'), linWeights: path.join(shared, 'weights', 'lpips', 'v0.1', 'alex.pth') });
  const dir = path.join(shared, 'datasets', 'set5');
  const rows: Record<string, unknown>[] = [];
  const t0 = Date.now();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.png')).sort()) {
    const full = imageToTensor(await readImage(path.join(dir, f)), { alpha: 'drop' });
    const [, H0, W0, C] = full.shape;
    const [H, W] = [H0 - (H0 % 8), W0 - (W0 % 8)];
    const hr = tf.tidy(() => {
      const rgb = C === 1 ? tf.tile(full, [1, 1, 1, 3]) : full;
      return tf.slice(rgb, [0, 0, 0, 0], [1, H, W, 3]) as tf.Tensor4D;
    });
    const lr = tf.tidy(() => tf.div(tf.round(tf.mul(tf.clipByValue(imresize(hr, { height: H / 4, width: W / 4 }), 0, 1), 255)), 255) as tf.Tensor4D);
    const bic = tf.tidy(() => tf.clipByValue(imresize(lr, { height: H, width: W }), 0, 1) as tf.Tensor4D);
    const samples = await v.sample(lr, { count, seed: 0, cem: 'matlab' });
    const arrays: ImageArray[] = [];
    const psnrs: number[] = [];
    for (const s of samples) {
      arrays.push(await s.toImageArray());
      const t = imageToTensor(arrays[arrays.length - 1]);
      psnrs.push(await psnrY(t, hr));
      t.dispose();
      s.dispose();
    }
    // The average of the samples (an estimate of the posterior mean), scored like one image.
    const avg = tf.tidy(() => tf.div(tf.addN(arrays.map((a) => imageToTensor(a))), arrays.length) as tf.Tensor4D);
    const meanImagePsnrY = await psnrY(avg, hr);
    avg.dispose();
    const gt = tensorToImage(hr);
    const scores = await ntireScores(arrays, gt, { lpips, scale: 4 });
    const row = { image: f.replace('.png', ''), bicubicPsnrY: await psnrY(bic, hr), samplePsnrY: psnrs, meanSamplePsnrY: psnrs.reduce((a, b) => a + b, 0) / psnrs.length, meanImagePsnrY, diversity: scores.score, lrPsnrMean: scores.LRPSNR_mean, lrPsnrWorst: scores.LRPSNR_worst, lpipsMean: scores.LPIPS_mean };
    rows.push(row);
    process.stdout.write(`${row.image}: PSNR-Y bicubic ${row.bicubicPsnrY.toFixed(2)} / samples ${row.meanSamplePsnrY.toFixed(2)} (their average ${row.meanImagePsnrY.toFixed(2)}), diversity ${row.diversity.toFixed(2)}, LR-PSNR ${row.lrPsnrMean.toFixed(2)} (worst ${row.lrPsnrWorst.toFixed(2)}), LPIPS ${row.lpipsMean.toFixed(4)}\n`);
    tf.dispose([full, hr, lr, bic]);
  }
  v.dispose();
  lpips.dispose();
  const mean = (k: string) => rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length;
  const summary = Object.fromEntries(['bicubicPsnrY', 'meanSamplePsnrY', 'meanImagePsnrY', 'diversity', 'lrPsnrMean', 'lrPsnrWorst', 'lpipsMean'].map((k) => [k, mean(k)]));
  const report = { date: new Date().toISOString(), backend: tf.getBackend(), set: 'set5', scale: 4, samples: count, cem: 'matlab', seconds: (Date.now() - t0) / 1000, summary, rows };
  const out = arg('--out') ?? path.join(pkg, 'bench', 'results', 'builtin-eval.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  const card = path.join(pkg, 'MODEL_CARD.md');
  if (fs.existsSync(card)) {
    const s = summary as Record<string, number>;
    const body = [
      `Evaluated ${report.date.slice(0, 10)} on ${report.backend} (\`npm run eval:builtin -w @sr/vspsr\`; per-image numbers in \`bench/results/builtin-eval.json\`), Set5 ×4, ${count} samples per image, MATLAB-kernel CEM.`,
      '',
      '| PSNR-Y bicubic | PSNR-Y of a sample (mean over samples) | PSNR-Y of the samples\' average | NTIRE-21 diversity score | LR-PSNR (mean / worst) | LPIPS-alex (mean) |',
      '|---|---|---|---|---|---|',
      `| ${s.bicubicPsnrY.toFixed(2)} | ${s.meanSamplePsnrY.toFixed(2)} | ${s.meanImagePsnrY.toFixed(2)} | ${s.diversity.toFixed(2)} | ${s.lrPsnrMean.toFixed(2)} / ${s.lrPsnrWorst.toFixed(2)} | ${s.lpipsMean.toFixed(4)} |`,
    ].join('\n');
    const text = fs.readFileSync(card, 'utf8');
    const [b, e] = ['<!-- eval:begin -->', '<!-- eval:end -->'];
    const i = text.indexOf(b);
    const j = text.indexOf(e);
    if (i >= 0 && j > i) fs.writeFileSync(card, `${text.slice(0, i + b.length)}\n${body}\n${text.slice(j)}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
