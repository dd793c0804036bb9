#!/usr/bin/env node
// Browser test: Debian's chromium driven by playwright-core (no browser download).
//  1. builds the demo (docs/demo → docs/demo/dist) and the golden page,
//  2. serves them from 127.0.0.1 with COOP/COEP (WASM threads), plus the shared golden fixtures
//     read-only under /fixtures/ (never copied into the repository),
//  3. demo: upscales the sample photo ×2 with the built-in CiaoSR weights on the backend `auto`
//     picks, checks the output size and pixels, saves docs/guides/img/demo.png, then LocalSR (random
//     weights) on a small generated PNG,
//  4. WebGPU (--enable-unsafe-webgpu; SwiftShader when there is no GPU): runs the ciaosr-edsr golden
//     case on cpu and webgpu and checks both against PyTorch (≤ 1e-4) and against each other.
//
// Usage: npm run test:browser [-- --skip-webgpu] [--chromium /usr/bin/chromium]
//          [--screenshot docs/guides/img/demo.png] [--timeout 600]
// Env: SR_CHROMIUM (browser path), SR_SHARED (shared fixtures root).
// Needs nothing built: the bundles come straight from the packages' TypeScript sources, so it runs on
// a clean clone after `npm ci` (CI: .ci/run, after `npm test`). --timeout (seconds, whole run) makes
// a hung browser a failure instead of a stuck job.
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { bundle, copyAssets } from '../docs/build-demo.mjs';
import { WEBGPU_ARGS, chromiumPathFrom, createReport, launchChromium, requireFromRoot, root, runMain, scriptArgs, serveStatic } from '../lib/browser-harness.mjs';

const { PNG } = requireFromRoot('pngjs');

const args = scriptArgs();
const chromiumPath = chromiumPathFrom(args);
const skipWebGPU = args.flag('--skip-webgpu');
const screenshotPath = resolve(args.opt('--screenshot', join(root, 'docs/guides/img/demo.png')));
const timeoutS = Number(args.opt('--timeout', '600'));
const TOL = 1e-4;
const { log, check, finish } = createReport();
/** Temp dirs (profiles, golden bundle) to remove even when the --timeout watchdog ends the run. */
const tempDirs = new Set();
const tempDir = (prefix) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
};

function sharedRoot() {
  if (process.env.SR_SHARED) return resolve(process.env.SR_SHARED);
  for (let d = root; ; d = dirname(d)) {
    for (const c of [join(d, 'shared'), join(dirname(d), 'shared')]) if (existsSync(join(c, 'fixtures'))) return c;
    if (dirname(d) === d) return null;
  }
}

/** A fresh Chromium profile per launch, with the window size of the demo screenshot. */
async function launch(extraArgs) {
  const userDataDir = tempDir('sr-chromium-');
  const browser = await launchChromium({ executablePath: chromiumPath, userDataDir, extraArgs, viewport: { width: 900, height: 900 } });
  return { browser, userDataDir };
}

/** A 40×32 RGB test card (gradients, a disc, stripes), as PNG bytes. */
function testPng(w = 40, h = 32) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const disc = (x - 14) ** 2 + (y - 14) ** 2 < 81;
      png.data[i] = disc ? 230 : Math.round((255 * x) / w);
      png.data[i + 1] = x > 26 && (y >> 1) % 2 === 0 ? 20 : Math.round((255 * y) / h);
      png.data[i + 2] = disc ? 40 : 160;
      png.data[i + 3] = 255;
    }
  return { bytes: PNG.sync.write(png), w, h };
}

async function demoTest(base) {
  log('demo: launching chromium (no GPU flags)');
  const { browser, userDataDir } = await launch(['--disable-gpu']);
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/demo/`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 60_000 }).catch(() => {});
    if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready')
      throw new Error(`the demo did not start: ${await page.textContent('#status')} ${errors.join(' | ')}`);
    const backend = await page.textContent('#backend');
    log(`demo: backend ${backend}`);
    check(['wasm', 'webgl', 'cpu', 'webgpu'].includes(await page.evaluate(() => document.body.dataset.backend)), `a backend is active and named (${backend})`);
    // CiaoSR with the built-in weights (the default choice) on the sample photo: the screenshot shows a
    // real super-resolution.
    await page.click('#sample');
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    check(await page.isChecked('input[name=weights][value=default]'), 'the built-in CiaoSR weights are the default choice');
    const [w, h] = [128, 96];
    await page.fill('#scale', '2');
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: 120_000 });
    const status = await page.textContent('#status');
    check((await page.evaluate(() => document.body.dataset.state)) === 'done', `upscale finished: ${status}`);
    const r = await page.evaluate(() => globalThis.srDemo.state.result);
    check(r && r.width === 2 * w && r.height === 2 * h, `output is ${r?.width}×${r?.height}, expected ${2 * w}×${2 * h}`);
    check(r && r.mean.length >= 3 && r.mean.slice(0, 3).every((m) => Number.isFinite(m) && m > 0.02 && m < 0.98), `output pixels are finite and not blank (channel means ${r?.mean.map((m) => m.toFixed(3)).join(', ')})`);
    const canvas = await page.evaluate(() => {
      const c = document.querySelector('#after');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let s = 0;
      for (let i = 0; i < d.length; i += 4) s += d[i];
      return { w: c.width, h: c.height, meanR: s / (d.length / 4) / 255 };
    });
    check(canvas.w === 2 * w && Math.abs(canvas.meanR - r.mean[0]) < 0.01, `the "after" canvas shows the result (${canvas.w}×${canvas.h}, mean R ${canvas.meanR.toFixed(3)})`);
    await page.waitForFunction(() => document.querySelector('#download').href.startsWith('blob:'), null, { timeout: 10_000 }).catch(() => {});
    check((await page.getAttribute('#download', 'href'))?.startsWith('blob:'), 'a PNG download link is offered');
    await page.evaluate(() => {
      const s = document.querySelector('#slider');
      s.value = '40';
      s.dispatchEvent(new Event('input'));
    });
    const img = screenshotPath;
    mkdirSync(dirname(img), { recursive: true });
    await page.screenshot({ path: img, fullPage: true });
    log(`demo: screenshot → ${img} (${statSync(img).size} bytes)`);

    // LocalSR (random weights: it has no built-in model): the centred half of a small test card, ×4,
    // with the whole image as context.
    const card = testPng();
    await page.setInputFiles('#file', { name: 'card.png', mimeType: 'image/png', buffer: card.bytes });
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    await page.selectOption('#package', 'localsr');
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state) && document.querySelector('#status').textContent !== 'starting…', null, { timeout: 120_000 });
    const status2 = await page.textContent('#status');
    check((await page.evaluate(() => document.body.dataset.state)) === 'done', `LocalSR region upscale finished: ${status2}`);
    const r2 = await page.evaluate(() => globalThis.srDemo.state.result);
    check(r2 && r2.width === 4 * (card.w / 2) && r2.height === 4 * (card.h / 2), `LocalSR region output is ${r2?.width}×${r2?.height}, expected ${2 * card.w}×${2 * card.h} (×4 of the ${card.w / 2}×${card.h / 2} centre)`);
    check(r2 && r2.mean.slice(0, 3).every((m) => Number.isFinite(m)), `LocalSR output pixels are finite (channel means ${r2?.mean.map((m) => m.toFixed(3)).join(', ')})`);
    check(errors.length === 0, `no page errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function webgpuTest(base) {
  log('webgpu: launching chromium with --enable-unsafe-webgpu');
  const { browser, userDataDir } = await launch(WEBGPU_ARGS);
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/golden/index.html`);
    const hasGpu = await page.evaluate(async () => !!(navigator.gpu && (await navigator.gpu.requestAdapter())));
    // CI sets SR_REQUIRE_WEBGPU=1 (as for the Node tests): there a missing adapter is a failure, never a
    // silent pass (Debian's chromium ships SwiftShader, so WebGPU is expected even without a GPU).
    const requireWebGPU = process.env.SR_REQUIRE_WEBGPU === '1';
    if (!hasGpu && requireWebGPU) check(false, 'WebGPU required (SR_REQUIRE_WEBGPU=1) but this Chromium offers no WebGPU adapter');
    if (!hasGpu) {
      console.log('  skip webgpu: this Chromium offers no WebGPU adapter (the CPU check still runs)');
      await page.goto(`${base}/golden/index.html?backends=cpu`);
    }
    await page.waitForFunction(() => globalThis.srGolden || globalThis.srGoldenError, null, { timeout: 300_000 });
    const err = await page.evaluate(() => globalThis.srGoldenError);
    check(!err, `golden page ran${err ? ': ' + err : ''}`);
    const g = await page.evaluate(() => globalThis.srGolden);
    for (const r of g?.runs ?? []) {
      log(`golden ${g.case} on ${r.summary}: max|err| ${r.maxAbsVsGolden.toExponential(2)} in ${r.ms.toFixed(0)} ms`);
      check(r.maxAbsVsGolden <= TOL, `${r.backend}: official CiaoSR output reproduced to ${r.maxAbsVsGolden.toExponential(2)} (≤ ${TOL})`);
    }
    if (hasGpu) {
      check(g?.runs?.some((r) => r.backend === 'webgpu'), 'the golden case ran on webgpu');
      check(g?.maxAbsBetweenBackends != null && g.maxAbsBetweenBackends <= TOL, `cpu vs webgpu max|diff| ${g?.maxAbsBetweenBackends?.toExponential(2)}`);
    }
    check(errors.length === 0, `no page errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(chromiumPath)) throw new Error(`no browser at ${chromiumPath}: apt-get install chromium (or set SR_CHROMIUM)`);
  const shared = sharedRoot();
  if (!skipWebGPU && !shared) throw new Error('shared fixtures not found: put them beside the repository (../shared) or set SR_SHARED (or pass --skip-webgpu)');
  log('building the demo and the golden page (esbuild)');
  const demoDist = join(root, 'docs/demo/dist');
  await bundle(join(root, 'docs/demo/main.ts'), join(demoDist, 'main.js'));
  copyAssets(demoDist);
  const goldenDir = tempDir('sr-golden-page-');
  await bundle(join(root, 'scripts/browser-test/golden-page.ts'), join(goldenDir, 'main.js'));
  writeFileSync(join(goldenDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>@sr golden</title><script type="module" src="main.js"></script>\n');
  const mounts = { '/demo/': join(root, 'docs/demo') + '/', '/golden/': goldenDir + '/' };
  if (shared) mounts['/fixtures/'] = join(shared, 'fixtures') + '/';
  // /demo/* → docs/demo, /golden/* → the temp golden bundle, /fixtures/* → shared (read-only); COOP/COEP for WASM threads.
  const server = await serveStatic(mounts, { crossOriginIsolated: true });
  const base = `http://127.0.0.1:${server.address().port}`;
  log(`serving on ${base}`);
  try {
    await demoTest(base);
    if (!skipWebGPU) await webgpuTest(base);
  } finally {
    server.close();
    rmSync(goldenDir, { recursive: true, force: true });
  }
  return finish('browser');
}

runMain({
  name: 'browser test',
  timeoutS,
  main,
  // Temp dirs (profiles, golden bundle) go even when the --timeout watchdog ends the run.
  cleanup: () => {
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  },
});
