// The harness shared by the two end-to-end scripts that drive Debian's Chromium through playwright-core
// (scripts/browser-test: the demo and the golden page from the sources; scripts/consumer-test: the
// packed packages in a fresh app): the repository root, option reading, the ok/FAIL check log, the
// Chromium flags and launch, a static server for 127.0.0.1, and the --timeout watchdog around main().
// One copy, so that both scripts launch the same browser the same way.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `require` of the repository's root node_modules (playwright-core, pngjs). */
export const requireFromRoot = createRequire(join(root, 'package.json'));

/** The script's options: `opt('--name', default)` reads the value after a flag, `flag('--name')` its presence. */
export function scriptArgs(argv = process.argv.slice(2)) {
  return {
    argv,
    opt: (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback),
    flag: (name) => argv.includes(name),
  };
}

/** `--chromium <path>`, else $SR_CHROMIUM, else Debian's /usr/bin/chromium. */
export const chromiumPathFrom = (args) => args.opt('--chromium', process.env.SR_CHROMIUM || '/usr/bin/chromium');

/**
 * The run's report: `log(msg)` prefixes the seconds since start; `check(ok, msg)` prints an ok/FAIL
 * line, collects failures in `failures` and returns `ok`; `finish(what)` logs the verdict and returns
 * the exit code (1 when a check failed).
 */
export function createReport() {
  const t0 = Date.now();
  const failures = [];
  const log = (m) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
  const check = (ok, msg) => {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${msg}`);
    if (!ok) failures.push(msg);
    return ok;
  };
  const finish = (what) => {
    log(failures.length ? `${failures.length} check(s) FAILED` : `all ${what} checks passed`);
    return failures.length ? 1 : 0;
  };
  return { log, check, failures, finish };
}

/**
 * Flags of every launch. --disable-dev-shm-usage: containers often mount a 64 MB /dev/shm, too small
 * for the renderer; the rest keeps a headless run off the network.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** WebGPU on, on SwiftShader when there is no GPU (Debian's Chromium ships it). */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

/**
 * Launches headless Chromium at `executablePath` with a fresh profile in `userDataDir` (playwright
 * passes it as --user-data-dir), {@link CHROMIUM_ARGS} plus `extraArgs`. Resolves to the browser context.
 */
export function launchChromium({ executablePath, userDataDir, extraArgs = [], viewport }) {
  const { chromium } = requireFromRoot('playwright-core');
  return chromium.launchPersistentContext(userDataDir, { executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true, ...(viewport ? { viewport } : {}) });
}

const CONTENT_TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json', '.png': 'image/png' };

/**
 * A static server on 127.0.0.1 (a free port): `mounts` maps URL prefixes (`'/demo/'`, or `'/'`) to
 * folders; folders serve their index.html; paths that leave the folder get 403. Nothing is cached.
 * `crossOriginIsolated` adds COOP/COEP/CORP headers (needed for WASM threads). Resolves to the server.
 */
export function serveStatic(mounts, { crossOriginIsolated = false } = {}) {
  const dirs = Object.fromEntries(Object.entries(mounts).map(([prefix, dir]) => [prefix, resolve(dir) + sep]));
  const headers = {
    'Cache-Control': 'no-store',
    ...(crossOriginIsolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' } : {}),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const mount = Object.keys(dirs).find((m) => url.pathname.startsWith(m));
    if (!mount) return res.writeHead(404, headers).end('not found');
    let file = normalize(join(dirs[mount], decodeURIComponent(url.pathname.slice(mount.length))));
    if (!(file + sep).startsWith(dirs[mount])) return res.writeHead(403, headers).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return res.writeHead(404, headers).end('not found');
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/**
 * Runs `main()` (resolving to an exit code) under a watchdog: after `timeoutS` seconds a hung browser
 * is a failure (`<name>: still running after …`, exit 1; playwright kills the browsers it launched on
 * exit) instead of a stuck job. `cleanup()` runs before every exit.
 */
export function runMain({ name, timeoutS, main, cleanup = () => {} }) {
  if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${timeoutS}`);
  setTimeout(() => {
    console.error(`${name}: still running after ${timeoutS} s (--timeout); giving up`);
    cleanup();
    process.exit(1);
  }, timeoutS * 1000).unref();
  main().then(
    (rc) => {
      cleanup();
      process.exit(rc);
    },
    (e) => {
      console.error(e);
      cleanup();
      process.exit(1);
    },
  );
}
