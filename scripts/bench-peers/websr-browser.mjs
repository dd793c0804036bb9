#!/usr/bin/env node
// WebSR (`@websr/websr`, Anime4K CNNs as WebGPU compute shaders, ×2 only) scored on Set5/Set14 ×2 in
// headless Chromium, with the same LR images and metrics as scripts/bench-peers.mjs: Node makes the
// 8-bit MATLAB-bicubic LR PNGs and scores the outputs with @sr/metrics; the page only runs WebSR
// (LR ImageBitmap → WebSR.render → the WebGPU canvas copied into a 2D canvas → RGBA bytes).
// Quality only: on SwiftShader its timings mean nothing. Writes bench/results/peers-websr.json
// (rows, or `error` saying why it could not run).
//
//   node scripts/bench-peers/websr-browser.mjs [--variants l-an,l-rl,...] [--chromium /usr/bin/chromium]
import { createServer } from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { ROOT, RESULTS, SHARED, writeJson } from './env.mjs';
import { to8bit } from './models.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const { values: o } = parseArgs({
  options: {
    variants: { type: 'string', default: 'l-an,l-rl,m-an,m-rl,s-an,s-rl' },
    sets: { type: 'string', default: 'set5,set14' },
    chromium: { type: 'string', default: process.env.SR_CHROMIUM || '/usr/bin/chromium' },
  },
});
const OUT = path.join(RESULTS, 'peers-websr.json');
const log = (s) => process.stderr.write(`[websr ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
// The flags that give SwiftShader a WebGPU device that survives copyExternalImageToTexture (issue #21).
const FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader'];

const PAGE = `<!doctype html><meta charset="utf-8"><script src="/websr.js"></script><canvas id="c"></canvas><script>
window.runWebSR = async (network, weightsUrl, pngUrl) => {
  const gpu = await WebSR.initWebGPU();
  if (!gpu) throw new Error('WebSR.initWebGPU() returned false (no WebGPU device)');
  const lost = [];
  gpu.lost.then((i) => lost.push(i.message));
  const weights = await (await fetch(weightsUrl)).json();
  const bitmap = await createImageBitmap(await (await fetch(pngUrl)).blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = document.createElement('canvas');
  const websr = new WebSR({ network_name: network, weights, gpu, canvas });
  await websr.render(bitmap);
  await gpu.queue.onSubmittedWorkDone();
  const out = document.createElement('canvas');
  out.width = canvas.width; out.height = canvas.height;
  const ctx = out.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(canvas, 0, 0);
  const rgba = ctx.getImageData(0, 0, out.width, out.height).data;
  await websr.destroy();
  if (lost.length) throw new Error('WebGPU device lost: ' + lost.join('; '));
  let s = '';
  for (let i = 0; i < rgba.length; i += 0x8000) s += String.fromCharCode.apply(null, rgba.subarray(i, i + 0x8000));
  return { width: out.width, height: out.height, rgba: btoa(s) };
};
</script>`;

async function main() {
  const tf = await import('@tensorflow/tfjs-core');
  const core = await import('@sr/core');
  const metrics = await import('@sr/metrics');
  const { PNG } = require('pngjs');
  await core.initBackend('wasm');
  const websrDir = path.dirname(require.resolve('@websr/websr'));
  const pkgDir = path.dirname(websrDir);
  // LR PNGs (8-bit MATLAB bicubic of the mod-2 HR), served from memory.
  const items = [];
  for (const set of o.sets.split(',')) {
    const dir = path.join(SHARED, 'datasets', set);
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.png')).sort()) {
      const img = core.toTrainImage(await core.readImage(path.join(dir, f)));
      const H = img.height - (img.height % 2);
      const W = img.width - (img.width % 2);
      const hr = tf.tidy(() => tf.slice(tf.tensor4d(img.data, [1, img.height, img.width, 3]), [0, 0, 0, 0], [1, H, W, 3]));
      const lr = to8bit(tf, core.imresize(hr, { height: H / 2, width: W / 2 }));
      const px = await lr.data();
      const png = new PNG({ width: W / 2, height: H / 2 });
      for (let i = 0; i < (W / 2) * (H / 2); i++) {
        for (let c = 0; c < 3; c++) png.data[4 * i + c] = Math.round(px[3 * i + c] * 255);
        png.data[4 * i + 3] = 255;
      }
      tf.dispose(lr);
      items.push({ set, image: f, hr, H, W, png: PNG.sync.write(png) });
    }
  }
  const routes = new Map([['/', Buffer.from(PAGE)], ['/websr.js', fs.readFileSync(path.join(websrDir, 'websr.js'))]]);
  for (const it of items) routes.set(`/lr/${it.set}/${it.image}`, it.png);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    let body = routes.get(url);
    const m = /^\/weights\/([\w-]+\.json)$/.exec(url);
    if (m) body = fs.readFileSync(path.join(pkgDir, 'weights/anime4k', m[1]));
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': url.endsWith('.js') ? 'text/javascript' : url.endsWith('.png') ? 'image/png' : url.endsWith('.json') ? 'application/json' : 'text/html' }).end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sr-websr-'));
  const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: o.chromium, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', ...FLAGS] });
  const lpips = await metrics.createLpips({ net: 'alex', backboneWeights: path.join(SHARED, 'weights/torchvision/alexnet-features.pth'), linWeights: path.join(SHARED, 'weights/lpips/v0.1/alex.pth') });
  const rows = [];
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
    await page.goto(`${base}/`);
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? `${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''} ${a.info?.description ?? ''}`.trim() : null;
    });
    if (!adapter) throw new Error('no WebGPU adapter in headless Chromium with ' + FLAGS.join(' '));
    log(`adapter: ${adapter}; ${await browser.browser()?.version?.() ?? ''}`);
    for (const v of o.variants.split(',')) {
      const [size] = v.split('-');
      for (const it of items) {
        const r = await page.evaluate(([n, w, p]) => window.runWebSR(n, w, p), [`anime4k/cnn-2x-${size}`, `/weights/cnn-2x-${v}.json`, `/lr/${it.set}/${it.image}`]);
        if (r.width !== it.W || r.height !== it.H) throw new Error(`${v} on ${it.image}: output ${r.width}×${r.height}, HR ${it.W}×${it.H}`);
        const bytes = Buffer.from(r.rgba, 'base64');
        const out = tf.tidy(() => tf.div(tf.slice(tf.tensor3d(new Float32Array(bytes), [it.H, it.W, 4]), [0, 0, 0], [it.H, it.W, 3]), 255));
        const hr = tf.squeeze(it.hr, [0]);
        const row = { method: `websr-cnn-2x-${v}`, set: it.set, image: it.image, scale: 2, psnr: await metrics.psnr(out, hr, { cropBorder: 2, yChannel: true }), ssim: await metrics.ssim(out, hr, { cropBorder: 2, yChannel: true }), lpips: await lpips.distance(out, hr) };
        tf.dispose([out, hr]);
        rows.push(row);
        log(`${row.method} ${it.set}/${it.image}: ${row.psnr.toFixed(2)} dB`);
      }
    }
    writeJson(OUT, { browser: `${adapter}`, flags: FLAGS, rows });
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  log(`failed: ${e.message}`);
  writeJson(OUT, { error: `WebSR could not be scored in headless Chromium (${FLAGS.join(' ')}): ${e.message}`, rows: [] });
  process.exitCode = 1;
}
process.exit();
