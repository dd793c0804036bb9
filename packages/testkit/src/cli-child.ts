/**
 * Runs an `@sr` CLI in a child process exactly as a user would (its `bin/<name>.js` launcher), for the
 * hostile-input suites: exit code, stdout, stderr and the child's peak RSS.
 *
 * Why a bundle instead of `node bin/x.js`: the launchers import `../dist/cli/x.js`, and CI runs the
 * tests on a clean clone without `npm run build` (turbo's `test` does not depend on `build`). So the
 * launcher is bundled by esbuild with `../dist/cli/*.js` mapped to `../src/cli/*.ts` and `@sr/*` to the
 * packages' sources (third-party packages stay external, loaded from node_modules): the launcher's own
 * code runs unchanged against the current sources, and nothing stale from an old `dist/` is tested.
 * The bundle is written inside the package (so that node_modules resolve) and removed by `dispose`.
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';

/** What a CLI child process did. */
export interface CliChildResult {
  /** Exit code (null when killed by a signal). */
  status: number | null;
  /** The signal that killed it, if any (e.g. 'SIGTERM' on timeout). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child in MiB (`process.resourceUsage().maxRSS`, reported at exit). */
  peakRssMiB: number;
  /** Wall time in ms. */
  ms: number;
  /** CPU time (user + system) of the child in ms: unlike `ms`, independent of the machine's load. */
  cpuMs: number;
}

/** Options of {@link CliChild.run}. */
export interface CliChildRunOptions {
  /** Working directory (default: a fresh temporary folder, removed afterwards). */
  cwd?: string;
  /** Bytes written to the child's stdin (then closed); default: stdin closed at once. */
  stdin?: Uint8Array | string;
  /** Kill the child after this many ms (default 60 000). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** A bundled CLI launcher; {@link CliChild.dispose} removes the bundle. */
export interface CliChild {
  /** Runs the CLI with `args`. */
  run(args: readonly string[], opts?: CliChildRunOptions): Promise<CliChildResult>;
  /** Removes the bundle. */
  dispose(): void;
}

/** The repository root: the first folder up from the working directory holding `packages/core`. */
function repoRoot(): string {
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'packages', 'core', 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no @sr repository above ${process.cwd()}`);
  }
}

/**
 * Bundles `packages/<pkg>/bin/<bin>.js` (see the module comment) and returns a runner for it. Takes
 * about half a second; call it once per test file.
 */
export async function bundleCli(pkg: string, bin: string): Promise<CliChild> {
  const esbuild = await import('esbuild');
  const REPO = repoRoot();
  const pkgDir = path.join(REPO, 'packages', pkg);
  const launcher = path.join(pkgDir, 'bin', `${bin}.js`);
  if (!fs.existsSync(launcher)) throw new Error(`no launcher ${launcher}`);
  const file = path.join(pkgDir, `.cli-child-${bin}-${process.pid}.mjs`);
  const rssFileEnv = 'SR_TEST_RSS_FILE';
  await esbuild.build({
    stdin: {
      // The exit hook reports the peak RSS to a file (stdout/stderr stay the CLI's own). On Linux it is
      // VmHWM of /proc/self/status: getrusage's maxRSS survives exec, so a child spawned by a big jest
      // worker would report the worker's RSS at fork time instead of its own peak.
      contents: `import { readFileSync, writeFileSync } from 'node:fs';
        const hwm = () => { try { const m = /VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8')); return m ? Number(m[1]) : undefined; } catch { return undefined; } };
        process.on('exit', () => { const f = process.env.${rssFileEnv}; if (f) { const u = process.resourceUsage(); writeFileSync(f, (hwm() ?? u.maxRSS) + ' ' + (u.userCPUTime + u.systemCPUTime)); } });
        import ${JSON.stringify(launcher)};`,
      resolveDir: pkgDir,
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: file,
    logLevel: 'silent',
    plugins: [
      {
        name: 'sr-sources',
        setup(b) {
          b.onResolve({ filter: /\/dist\/cli\/[^/]+\.js$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path).replace(`${path.sep}dist${path.sep}cli${path.sep}`, `${path.sep}src${path.sep}cli${path.sep}`).replace(/\.js$/, '.ts') }));
          // Node resolves `@sr/<pkg>` to its Node entry (the `node` export condition) where it has one.
          b.onResolve({ filter: /^@sr\/[a-z-]+(\/node)?$/ }, (a) => {
            const src = path.join(REPO, 'packages', a.path.slice(4).replace(/\/node$/, ''), 'src');
            return { path: fs.existsSync(path.join(src, 'node.ts')) ? path.join(src, 'node.ts') : path.join(src, 'index.ts') };
          });
          b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@sr/') ? undefined : { path: a.path, external: true }));
        },
      },
    ],
  });
  const run = async (args: readonly string[], opts: CliChildRunOptions = {}): Promise<CliChildResult> => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sr-cli-${bin}-`));
    const rssFile = path.join(tmp, '.rss');
    const cwd = opts.cwd ?? tmp;
    const t0 = Date.now();
    try {
      return await new Promise<CliChildResult>((resolve, reject) => {
        const child = spawn(process.execPath, [file, ...args], {
          cwd,
          env: { ...process.env, ...opts.env, [rssFileEnv]: rssFile, SR_DEBUG: '' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => err.push(c));
        child.stdin.on('error', () => {}); // the child may exit before reading stdin
        child.stdin.end(opts.stdin ?? undefined);
        const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 60_000);
        child.on('error', reject);
        child.on('close', (status, signal) => {
          clearTimeout(timer);
          const [kb, cpuUs] = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').split(' ').map(Number) : [NaN, NaN];
          resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), peakRssMiB: kb! / 1024, ms: Date.now() - t0, cpuMs: cpuUs! / 1000 });
        });
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  return { run, dispose: () => fs.rmSync(file, { force: true }) };
}

/** A stack-trace line (`    at f (file:1:2)`): user errors must never print one. */
export const STACK_LINE = /^\s+at .+[:(]/m;

/** Runs `check` over `cases` with up to `concurrency` children at once (each case's own expectations). */
export async function runCases<T>(cases: readonly T[], concurrency: number, check: (c: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      await check(c).catch((e) => errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (errors.length) throw errors[0];
}

/** What a hostile-input case expects of the CLI (see {@link cliCaseFailures}). */
export interface CliExpectation {
  /** Exit code (default 2, a usage error). */
  status?: number;
  /** The stderr text must match. */
  message: RegExp;
  /** Stderr must be exactly one line (default true). */
  oneLine?: boolean;
  /** Peak RSS bound in MiB (default 256: node + tfjs loaded, nothing computed, is ~80 MiB). */
  rssMiB?: number;
}

/**
 * The ways `r` misses `e` (empty when it meets it): exit code, the message, one line on stderr, no
 * stack trace, peak RSS. A list rather than `expect` calls, so that a suite reports every failing case
 * with its stderr at once.
 */
export function cliCaseFailures(what: string, r: CliChildResult, e: CliExpectation): string[] {
  const bad: string[] = [];
  const err = r.stderr.trimEnd();
  const status = e.status ?? 2;
  if (r.status !== status) bad.push(`exit ${r.status}${r.signal ? ` (${r.signal})` : ''}, expected ${status}`);
  if (!e.message.test(r.stderr)) bad.push(`stderr does not match ${e.message}`);
  if ((e.oneLine ?? true) && err.split('\n').length !== 1) bad.push(`stderr has ${err.split('\n').length} lines, expected 1`);
  if (STACK_LINE.test(r.stderr)) bad.push('stderr has a stack trace');
  const rss = e.rssMiB ?? 256;
  if (!(r.peakRssMiB < rss)) bad.push(`peak RSS ${r.peakRssMiB.toFixed(0)} MiB, bound ${rss} MiB`);
  return bad.length ? [`${what}: ${bad.join('; ')} — stderr: ${JSON.stringify(err)}`] : [];
}

/**
 * Runs every `[what, args, expectation]` case through `cli` (two children at a time) and returns the
 * failures of all of them (see {@link cliCaseFailures}); `expect(await …).toEqual([])` in a test.
 */
export async function cliHostileFailures(cli: CliChild, cases: readonly [string, readonly string[], CliExpectation][], opts: CliChildRunOptions = {}): Promise<string[]> {
  const failures: string[] = [];
  await runCases(cases, 2, async ([what, args, e]) => {
    failures.push(...cliCaseFailures(what, await cli.run(args, opts), e));
  });
  return failures;
}
