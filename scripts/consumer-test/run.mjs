#!/usr/bin/env node
// Consumer test: the packages as an app developer gets them from npm, outside this repository.
//  1. `npm pack` of every publishable package into a temporary folder; checks of the packed file lists
//     (LICENSE and README present, no dev-only code, every source map carries its sources, @sr ranges);
//  2. a fresh app in that folder installs the tarballs (third-party packages from the npm registry);
//  3. Node: an ESM script of the app, run from another working directory, upscales a small photo crop
//     with the built-in CiaoSR model (no configuration), and prints no Dawn warning (WASM only);
//  4. browsers: Vite and esbuild production builds of a small page (the recipe of
//     docs/guides/browser-demo.md), served on 127.0.0.1 and driven in Debian's Chromium, upscale the
//     same input with the built-in model on WASM and on WebGPU (SwiftShader); each output must have
//     Node's size and a PSNR above 45 dB against Node's output; the JS each page loads is measured;
//  5. `tsc --noEmit` of a consumer .ts file with moduleResolution node16 and bundler.
//
//  --all-bundlers adds webpack 5 and Rollup (node-resolve + commonjs) builds of the same page, run on
//  WASM only (not in CI: the webpack build alone takes ≈ 90 s on 2 busy cores).
//
// Usage: npm run test:consumer [-- --chromium /usr/bin/chromium] [--keep] [--skip-browser] [--all-bundlers] [--timeout 900]
// Needs the packages built (`npm run build`; run here when a dist/ is missing) and the npm registry
// (or a warm npm cache) for third-party packages. CI: .ci/run, after the browser test.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { WEBGPU_ARGS, chromiumPathFrom, createReport, launchChromium, requireFromRoot, root, runMain, scriptArgs, serveStatic } from '../lib/browser-harness.mjs';

const { PNG } = requireFromRoot('pngjs');

const args = scriptArgs();
const chromiumPath = chromiumPathFrom(args);
const keep = args.flag('--keep');
const skipBrowser = args.flag('--skip-browser');
const allBundlers = args.flag('--all-bundlers');
/** Bundlers, the backends their page runs on, and whether the page is given the weights URL (no asset emitted). */
const TOOLS = [
  { tool: 'vite', backends: ['wasm', 'webgpu'], passWeights: false },
  { tool: 'esbuild', backends: ['wasm', 'webgpu'], passWeights: true },
  ...(allBundlers
    ? [
        { tool: 'webpack', backends: ['wasm'], passWeights: false },
        // Not minified (no terser in this minimal config): its size is printed, not checked.
        { tool: 'rollup', backends: ['wasm'], passWeights: true, unminified: true },
      ]
    : []),
];
const timeoutS = Number(args.opt('--timeout', '900'));
const PACKAGES = ['core', 'metrics', 'ciaosr', 'lar-sr', 'vspsr', 'refvae', 'localsr'];
const SCALE = 2;
const MIN_PSNR = 45;
/** Files that must never ship: tests, sources, benchmarks' and the default model's dev scripts, experiments. */
const DEV_ONLY = [/(^|\/)test\//, /(^|\/)src\//, /\.test\./, /\.tsbuildinfo$/, /(^|\/)scripts\//, /dist\/bench\/core-bench\./, /dist\/cli\/(train|eval)-default\./, /dist\/(bench|experiment)-run\./, /dist\/bench\/metrics-bench\./, /\.train-default\//];

const { log, check, finish } = createReport();
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd ?? process.cwd()}) failed with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r;
};

const work = mkdtempSync(join(tmpdir(), 'sr-consumer-'));
if (!relative(root, work).startsWith('..')) throw new Error(`temporary folder ${work} is inside the repository`);
const app = join(work, 'app');
const tarballs = join(work, 'tarballs');

/** The input: a 32×24 crop of the ciaosr sample photo, as PNG (small: WebGPU runs on SwiftShader). */
function inputPng() {
  const src = PNG.sync.read(readFileSync(join(root, 'packages/ciaosr/assets/sample.png')));
  const w = 32;
  const h = 24;
  const out = new PNG({ width: w, height: h, colorType: 2 });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = ((y + 40) * src.width + (x + 48)) * 4;
      const d = (y * w + x) * 4;
      for (let c = 0; c < 4; c++) out.data[d + c] = c === 3 ? 255 : src.data[s + c];
    }
  return PNG.sync.write(out, { colorType: 2 });
}

function packAll() {
  log('npm pack of every publishable package');
  for (const p of PACKAGES) if (!existsSync(join(root, 'packages', p, 'dist/index.js'))) {
    log('a dist/ is missing: npm run build');
    run('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    break;
  }
  mkdirSync(tarballs, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])];
  const packed = JSON.parse(run('npm', args, { cwd: root }).stdout);
  const versions = Object.fromEntries(packed.map((p) => [p.name, p.version]));
  for (const p of packed) {
    const files = p.files.map((f) => f.path);
    check(files.includes('LICENSE') && files.includes('README.md'), `${p.name}: LICENSE and README.md are packed`);
    const dev = files.filter((f) => DEV_ONLY.some((re) => re.test(f)));
    check(dev.length === 0, `${p.name}: no dev-only files packed${dev.length ? `: ${dev.slice(0, 5).join(', ')}` : ''} (${files.length} files, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked)`);
    const maps = files.filter((f) => f.endsWith('.map'));
    const bad = maps.filter((f) => {
      const m = JSON.parse(readFileSync(join(root, 'packages', p.name.slice(4), f), 'utf8'));
      return !Array.isArray(m.sourcesContent) || m.sourcesContent.length !== m.sources.length || m.sourcesContent.some((s) => typeof s !== 'string');
    });
    check(bad.length === 0, `${p.name}: all ${maps.length} source maps carry their sources${bad.length ? ` (not: ${bad.slice(0, 3).join(', ')})` : ''}`);
    const pkg = JSON.parse(readFileSync(join(root, 'packages', p.name.slice(4), 'package.json'), 'utf8'));
    check(pkg.publishConfig?.access === 'public' && pkg.exports?.['./package.json'] === './package.json', `${p.name}: publishConfig.access public, ./package.json exported`);
    const ranges = Object.entries(pkg.dependencies ?? {}).filter(([k]) => k.startsWith('@sr/'));
    check(ranges.every(([k, v]) => v === `^${versions[k]}`), `${p.name}: @sr dependency ranges are ^<version> (${ranges.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`);
  }
  return packed;
}

function makeApp(packed) {
  log(`fresh app in ${app}: installing the tarballs (third-party packages from the registry)`);
  cpSync(join(dirname(fileURLToPath(import.meta.url)), 'app'), app, { recursive: true });
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  for (const p of packed) pkg.dependencies[p.name] = `file:${join(tarballs, p.filename)}`;
  // The build tools at the versions this repository is tested with (and has in the npm cache).
  const tools = ['vite', 'esbuild', ...(allBundlers ? ['webpack', 'rollup', '@rollup/plugin-node-resolve'] : [])];
  for (const d of [...tools, 'typescript', '@types/node', '@tensorflow/tfjs-core']) pkg.devDependencies[d] = rootPkg.devDependencies[d];
  if (allBundlers) pkg.devDependencies['@rollup/plugin-commonjs'] = '^29.0.0';
  writeFileSync(join(app, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const publicDir = join(app, 'web/public');
  mkdirSync(publicDir, { recursive: true });
  writeFileSync(join(publicDir, 'input.png'), inputPng());
  const t = Date.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app });
  log(`npm install: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  // The one documented step for WASM: the tfjs .wasm binaries next to the page (Vite: public/).
  const wasmDir = join(app, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) cpSync(join(wasmDir, f), join(publicDir, f));
}

function decodeOut(json) {
  return { width: json.width, height: json.height, channels: json.channels, data: Uint8Array.from(Buffer.from(json.data, 'base64')) };
}

/** PSNR (dB) over the RGB channels of two 8-bit images of the same size. */
function psnrRgb(a, b) {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.width * a.height; i++)
    for (let c = 0; c < 3; c++) {
      const d = a.data[i * a.channels + c] - b.data[i * b.channels + c];
      se += d * d;
      n++;
    }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / n));
}

function nodeRun() {
  log('Node: app script run from another working directory, built-in model, WASM');
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  const outFile = join(elsewhere, 'node-out.json');
  const r = spawnSync(process.execPath, [join(app, 'node-upscale.mjs'), join(app, 'web/public/input.png'), String(SCALE), outFile], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, CIAOSR_DEFAULT_WEIGHTS: '' } });
  check(r.status === 0, `node-upscale.mjs exited ${r.status}${r.status ? `: ${r.stderr}` : ''}`);
  if (r.status !== 0) return null;
  check(!/dawn|artificially reduced|webgpu/i.test(r.stderr), `no Dawn/WebGPU output when WebGPU is not used${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 300)}` : ''}`);
  const out = decodeOut(JSON.parse(readFileSync(outFile, 'utf8')));
  check(out.width === 64 && out.height === 48, `Node output is ${out.width}×${out.height} (expected 64×48), ${r.stdout.trim()}`);
  return out;
}

function buildPages() {
  const sizes = {};
  for (const { tool, passWeights } of TOOLS) {
    const t = Date.now();
    run(process.execPath, [`build-${tool}.mjs`], { cwd: app });
    log(`${tool} production build: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    sizes[tool] = {};
    const dist = join(app, `dist-${tool}`);
    for (const f of walk(dist)) if (f.endsWith('.js')) sizes[tool][relative(dist, f)] = gzipSync(readFileSync(f), { level: 9 }).length;
    // esbuild and Rollup emit no asset for `new URL(…, import.meta.url)`: the app copies the weights (documented).
    if (passWeights) cpSync(join(app, 'node_modules/@sr/ciaosr/weights/default.safetensors'), join(dist, 'default.safetensors'));
  }
  return sizes;
}

function* walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

async function browserRuns(nodeOut, sizes) {
  const userDataDir = mkdtempSync(join(work, 'chromium-'));
  // WebGPU on SwiftShader when there is no GPU, as in scripts/browser-test.
  const browser = await launchChromium({ executablePath: chromiumPath, userDataDir, extraArgs: WEBGPU_ARGS });
  const loaded = {};
  try {
    for (const { tool, backends, passWeights } of TOOLS) {
      const dist = join(app, `dist-${tool}`);
      const server = await serveStatic({ '/': dist });
      const base = `http://127.0.0.1:${server.address().port}`;
      loaded[tool] = new Set();
      try {
        for (const backend of backends) {
          const page = await browser.newPage();
          const errors = [];
          page.on('pageerror', (e) => errors.push(e.message));
          page.on('response', (r) => {
            const p = new URL(r.url()).pathname.slice(1);
            if (p.endsWith('.js') && r.ok()) loaded[tool].add(p);
          });
          const query = `backend=${backend}${passWeights ? '&weights=default.safetensors' : ''}`;
          const t = Date.now();
          await page.goto(`${base}/index.html?${query}`);
          await page.waitForFunction(() => globalThis.srResult || globalThis.srError, null, { timeout: 300_000 });
          const err = await page.evaluate(() => globalThis.srError);
          const res = await page.evaluate(() => globalThis.srResult);
          await page.close();
          if (!check(!err && res, `${tool} page on ${backend}: ran${err ? `: ${err}` : ''}${errors.length ? ` (page errors: ${errors.join(' | ')})` : ''}`)) continue;
          const out = decodeOut(res);
          check(res.backend === backend, `${tool} page: backend ${res.backend} (asked ${backend})`);
          check(out.width === nodeOut?.width && out.height === nodeOut?.height, `${tool} on ${backend}: output ${out.width}×${out.height} equals Node's`);
          const db = nodeOut ? psnrRgb(out, nodeOut) : NaN;
          check(db > MIN_PSNR, `${tool} on ${backend}: PSNR vs Node ${db.toFixed(1)} dB (> ${MIN_PSNR}) in ${((Date.now() - t) / 1000).toFixed(1)} s; weights ${res.weights}`);
        }
      } finally {
        server.close();
      }
    }
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  for (const { tool, backends, unminified } of TOOLS) {
    const all = Object.values(sizes[tool]).reduce((a, b) => a + b, 0);
    const used = [...loaded[tool]].reduce((a, f) => a + (sizes[tool][f] ?? 0), 0);
    const what = backends.join(' + ');
    log(`${tool}: JS gzip loaded by the page on ${what} ${kb(used)} (${loaded[tool].size} files); all emitted JS (every backend, PNG encoder) ${kb(all)}${unminified ? ' (not minified)' : ''}`);
    if (!unminified)
      check(used > 0 && used <= 0.6 * 386 * 1024, `${tool}: a ${what} app loads ${kb(used)} of JS (gzip), at most 60 % of the 386 KiB of one all-backends bundle`);
  }
}

function typecheck() {
  for (const cfg of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    const r = spawnSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', cfg, '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
    check(r.status === 0, `tsc --noEmit -p ${cfg}${r.status ? `:\n${r.stdout}${r.stderr}` : ''}`);
  }
}

async function main() {
  if (!skipBrowser && !existsSync(chromiumPath)) throw new Error(`no browser at ${chromiumPath}: apt-get install chromium (or set SR_CHROMIUM), or pass --skip-browser`);
  const packed = packAll();
  makeApp(packed);
  const nodeOut = nodeRun();
  typecheck();
  if (!skipBrowser) {
    const sizes = buildPages();
    await browserRuns(nodeOut, sizes);
  }
  return finish('consumer');
}

runMain({
  name: 'consumer test',
  timeoutS,
  main,
  cleanup: () => (keep ? log(`kept ${work}`) : rmSync(work, { recursive: true, force: true })),
});
