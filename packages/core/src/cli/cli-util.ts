/**
 * Helpers shared by the `@sr` command-line programs (`vspsr`, `refvae`, `lar-sr`, `localsr`, …): option
 * parsers for commander, backend start-up with its report line, stdin/stdout byte I/O, and the
 * exit-code convention of their `main(argv)` functions. Every export is prefixed `cli`.
 *
 * Why no `import … from 'commander'` here: this module is part of the `@sr/core` index, which must stay
 * loadable in browsers, and commander pulls in `node:child_process` and friends at load time. The
 * option parsers therefore throw an error that commander recognises by its code (see
 * `CliArgumentError`), and {@link cliRun} accepts any object with commander's `parseAsync`.
 * Node built-ins are only touched inside the functions that need them (`process.stdin`, `process.stdout`,
 * and `fs`/`path` through the Node platform that the Node entry installs).
 * @module
 */
import { SrError } from '../errors/index.js';
import { initBackend, type BackendName, type BackendReport } from '../backend/init-backend.js';
import { nodeFs, nodePath } from '../platform/node-platform.js';

export * from './cli-options.js';
export * from './cli-output.js';
export * from './cli-image.js';
export * from './cli-progress.js';
export * from './cli-image-command.js';

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

/** The part of a commander `Command` that {@link cliConfigure} sets up. */
export interface CliConfigurable {
  /** Commander's `exitOverride()`: throw instead of `process.exit`. */
  exitOverride(): unknown;
  /** Commander's `configureOutput()`: where help and errors are written. */
  configureOutput(config: { writeOut?: (s: string) => void; writeErr?: (s: string) => void; outputError?: (s: string, write: (s: string) => void) => void }): unknown;
}

/** Commander's error text as one line: without its `error: ` prefix, line breaks (its "Did you mean" hint) folded. */
export function cliOneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * Sets a commander program up the way every `@sr` CLI reports usage errors: `exitOverride()` (errors
 * are thrown to {@link cliRun}, which returns the exit code, instead of `process.exit`) and commander's
 * own error messages printed as ONE line `<name>: <message>` (e.g. `ciaosr: unknown option '--sclae'
 * (Did you mean --scale?)`). Call it before adding subcommands: commander copies these settings to
 * them. Help (`--help`) still goes to stdout, or to `writeOut` when given (tests).
 */
export function cliConfigure<T extends CliConfigurable>(program: T, name: string, io: { writeOut?: (s: string) => void; writeErr?: (s: string) => void } = {}): T {
  const writeErr = io.writeErr ?? ((s: string) => process.stderr.write(s));
  program.exitOverride();
  program.configureOutput({
    ...(io.writeOut ? { writeOut: io.writeOut } : {}),
    writeErr,
    outputError: (s) => writeErr(`${name}: ${cliOneLine(s)}\n`),
  });
  return program;
}

/** True for the option that asks for stack traces of unexpected errors (stripped before parsing). */
const DEBUG_FLAG = '--debug';

/**
 * Runs a commander program (set up with {@link cliConfigure}) on `argv` and turns the outcome into an
 * exit code, the convention of every `@sr` CLI's `main`:
 * - success, `--help`, `--version`: 0;
 * - usage errors: 2 — commander's own (unknown option, missing argument or option, a bad value from a
 *   `cli*` parser, no subcommand; commander has printed its one line) and `CliUsageError`s or any
 *   error with `exitCode` 2 thrown by an action (`<name>: <message>`);
 * - other `SrError`s (bad image, bad checkpoint, …): `<name>: <message>` (with ` [E_CODE]` when
 *   `showErrorCode`), exit code 1;
 * - unexpected errors (a bug, or an error of a dependency): `<name>: <message>` and a hint that
 *   `--debug` prints the stack, exit code 1. `--debug` anywhere in `argv` (or `SR_DEBUG=1`) is removed
 *   before parsing and prints the stack of any error.
 * @param opts.name - program name, the prefix of error lines.
 * @param opts.showErrorCode - append the `SrError` code to error lines.
 * @param opts.log - where error lines go (default stderr).
 */
export async function cliRun(program: CliProgram, argv: readonly string[], opts: { name: string; showErrorCode?: boolean; log?: CliLog }): Promise<number> {
  const log = opts.log ?? stderrLine;
  const debug = argv.includes(DEBUG_FLAG) || (typeof process !== 'undefined' && process.env?.SR_DEBUG === '1');
  try {
    await program.parseAsync(
      argv.filter((a) => a !== DEBUG_FLAG),
      { from: 'user' },
    );
    return 0;
  } catch (e) {
    const err = (e ?? {}) as { code?: unknown; exitCode?: unknown; message?: unknown; stack?: unknown };
    const exitCode = typeof err.exitCode === 'number' ? err.exitCode : undefined;
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) return exitCode === 0 ? 0 : 2;
    const message = cliOneLine(typeof err.message === 'string' ? err.message : String(e));
    if (e instanceof SrError || exitCode !== undefined) {
      const suffix = opts.showErrorCode && e instanceof SrError && exitCode !== 2 ? ` [${e.code}]` : '';
      log(`${opts.name}: ${message}${suffix}`);
    } else {
      log(`${opts.name}: ${message}${debug ? '' : ' (unexpected error; run again with --debug for the stack trace)'}`);
    }
    if (debug && typeof err.stack === 'string') log(err.stack);
    return exitCode ?? 1;
  }
}
