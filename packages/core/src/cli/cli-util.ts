/**
 * Helpers shared by the `@sr` command-line programs (`vspsr`, `refvae`, `lar-sr`, `localsr`, …): option
 * parsers for commander, backend start-up with its report line, stdin/stdout byte I/O, and the
 * exit-code convention of their `main(argv)` functions. Every export is prefixed `cli`.
 *
 * Why no `import … from 'commander'` here: this module is part of the `@sr/core` index, which must stay
 * loadable in browsers, and commander pulls in `node:child_process` and friends at load time. The
 * option parsers therefore throw an error that commander recognises by its code (see
 * {@link CliArgumentError}), and {@link cliRun} accepts any object with commander's `parseAsync`.
 * Node built-ins are only touched inside the functions that need them (`process.stdin`, `process.stdout`,
 * and `fs`/`path` through the Node platform that the Node entry installs).
 * @module
 */
import { InputError, SrError } from '../errors/index.js';
import { initBackend, type BackendName, type BackendReport } from '../backend/init-backend.js';
import { nodeFs, nodePath } from '../platform/node-platform.js';

/**
 * A bad option value. Its code is `'commander.invalidArgument'`, the code of commander's own
 * `InvalidArgumentError`, so commander reports it as `error: option '--count <n>' argument 'x' is
 * invalid. not an integer: x` and fails with {@link CliArgumentError.exitCode} (1); outside commander it
 * is an ordinary {@link InputError}.
 */
export class CliArgumentError extends InputError {
  /** The process exit code commander uses for it. */
  readonly exitCode = 1;
  constructor(message: string) {
    super(message, 'commander.invalidArgument');
    this.name = 'CliArgumentError';
  }
}

/** Commander option parser for integers (`.option('--count <n>', '…', cliInteger, 10)`). */
export function cliInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new CliArgumentError(`not an integer: ${value}`);
  return n;
}

/** Commander option parser for finite numbers (`.option('--lr <x>', '…', cliNumber, 1e-4)`). */
export function cliNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliArgumentError(`not a number: ${value}`);
  return n;
}

/** Help text of the `--backend <name>` option every CLI offers (default `'auto'`). */
export const CLI_BACKEND_HELP = 'tfjs backend: auto, webgpu, wasm, cpu';

/** Where the CLI helpers write diagnostic lines (no newline): stderr by default; pass `(l) => console.error(l)` where tests spy on the console. */
export type CliLog = (line: string) => void;

const stderrLine: CliLog = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * Starts the tfjs backend named by `--backend` (see `initBackend`: `'auto'` picks WebGPU on a real GPU,
 * else WASM) and, unless `quiet`, logs `backend: <summary>` (stderr) so that a user sees which
 * backend (and why) before a long run. Returns the report.
 */
export async function cliInitBackend(name: string, opts: { quiet?: boolean; log?: CliLog } = {}): Promise<BackendReport> {
  const report = await initBackend(name as BackendName);
  if (!opts.quiet) (opts.log ?? stderrLine)(`backend: ${report.summary}`);
  return report;
}

/** All of stdin as bytes (for an input argument of `-`). Node only. */
export async function cliReadStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Writes `bytes` (e.g. a PNG) to the file `file`, or to stdout when `file` is `-`. Node only. */
export async function cliWriteOutput(file: string, bytes: Uint8Array): Promise<void> {
  if (file === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
    return;
  }
  await nodeFs('cliWriteOutput').promises.writeFile(file, bytes);
}

/**
 * Writes `value` as pretty-printed JSON (2-space indent, final newline) to `file`, creating its folder,
 * and reports `wrote <file>` on stderr unless `quiet` (the benchmark commands' output). Node only.
 */
export async function cliWriteJson(file: string, value: unknown, opts: { quiet?: boolean } = {}): Promise<void> {
  const fs = nodeFs('cliWriteJson').promises;
  const path = nodePath('cliWriteJson');
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  if (!opts.quiet) process.stderr.write(`wrote ${file}\n`);
}

/** The part of a commander `Command` that {@link cliRun} uses. */
export interface CliProgram {
  /** Commander's `Command.parseAsync`: parses `argv` and runs the matching action. */
  parseAsync(argv: readonly string[], opts: { from: 'user' }): Promise<unknown>;
}

/**
 * Runs a commander program (built with `.exitOverride()`) on `argv` and turns the outcome into an exit
 * code, the convention of every `@sr` CLI's `main`:
 * - success, `--help`, `--version`: 0;
 * - commander's own errors (unknown option, missing argument, {@link CliArgumentError}, no subcommand):
 *   commander has printed them; its exit code (1);
 * - any other error: `<name>: <message>` on stderr (with ` [E_CODE]` for `SrError`s when
 *   `showErrorCode`), then the error's numeric `exitCode` if it has one (a `CommanderError(2, 'E_ARG', …)`
 *   thrown by an action: 2), else 1.
 * @param opts.name - program name, the prefix of error lines.
 * @param opts.showErrorCode - append the `SrError` code to error lines.
 * @param opts.log - where error lines go (default stderr).
 */
export async function cliRun(program: CliProgram, argv: readonly string[], opts: { name: string; showErrorCode?: boolean; log?: CliLog }): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = (e ?? {}) as { code?: unknown; exitCode?: unknown; message?: unknown };
    const exitCode = typeof err.exitCode === 'number' ? err.exitCode : undefined;
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) return exitCode ?? 1;
    const message = typeof err.message === 'string' ? err.message : String(e);
    const suffix = opts.showErrorCode && e instanceof SrError ? ` [${e.code}]` : '';
    (opts.log ?? stderrLine)(`${opts.name}: ${message}${suffix}`);
    return exitCode ?? 1;
  }
}
