/**
 * Strict option parsers shared by every `@sr` command-line program, and the usage-error classes they
 * throw. One implementation for all CLIs, so that `--count 1e9`, `--lr -1`, `-s 2x3x4` or `--tile abc`
 * get the same kind of one-line answer everywhere (exit code 2).
 *
 * Why not `parseFloat`/`parseInt`: they accept a prefix (`parseFloat('2x3')` is 2), so a typo became a
 * silently different run. Every parser here reads the whole string with `Number()` (after refusing
 * the empty string, which `Number` reads as 0) and checks the range the option means.
 * @module
 */
import { InputError } from '../errors/index.js';
import type { BackendName } from '../backend/init-backend.js';

/** Process exit code of a usage error (bad option, missing argument, refused output path). */
export const CLI_USAGE_EXIT = 2;

/**
 * A bad option value thrown by a commander option parser. Its code is `'commander.invalidArgument'`,
 * the code of commander's own `InvalidArgumentError`, so commander reports it as
 * `option '--count <n>' argument 'x' is invalid: <message>` and fails with {@link CliArgumentError.exitCode}
 * (2, a usage error); outside commander it is an ordinary {@link InputError}.
 */
export class CliArgumentError extends InputError {
  /** The process exit code: 2 (usage error). */
  readonly exitCode = CLI_USAGE_EXIT;
  constructor(message: string) {
    super(message, 'commander.invalidArgument');
    this.name = 'CliArgumentError';
  }
}

/**
 * A usage error found after parsing (options that conflict, an output path that cannot be written, an
 * input that would be overwritten): reported as one line `<cli>: <message>`, exit code 2.
 */
export class CliUsageError extends InputError {
  /** The process exit code: 2 (usage error). */
  readonly exitCode = CLI_USAGE_EXIT;
  constructor(message: string) {
    super(message, 'E_USAGE');
    this.name = 'CliUsageError';
  }
}

/** Bounds of {@link cliIntegerIn} / {@link cliNumberIn}: inclusive `min`/`max`, or exclusive `above`. */
export interface CliRange {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Values must be strictly greater than this. */
  above?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

/** The whole string as a number, or NaN ('' and whitespace are NaN, not 0; '0x10', '1_0' are NaN too). */
function strictNumber(value: string): number {
  const s = value.trim();
  if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return NaN;
  return Number(s);
}

function describeRange(kind: string, r: CliRange): string {
  const lo = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `≥ ${r.min}` : '';
  const hi = r.max !== undefined ? `≤ ${r.max}` : '';
  return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

function checkRange(n: number, kind: string, r: CliRange): number {
  const bad = (r.min !== undefined && n < r.min) || (r.above !== undefined && !(n > r.above)) || (r.max !== undefined && n > r.max);
  if (bad) throw new CliArgumentError(`expected ${describeRange(kind, r)}`);
  return n;
}

/** Commander option parser for finite numbers (`.option('--x <v>', '…', cliNumber)`); no range check. */
export function cliNumber(value: string): number {
  const n = strictNumber(value);
  if (!Number.isFinite(n)) throw new CliArgumentError('expected a finite number');
  return n;
}

/** Commander option parser for integers (`.option('--seed <n>', '…', cliInteger, 0)`); no range check. */
export function cliInteger(value: string): number {
  const n = strictNumber(value);
  if (!Number.isSafeInteger(n)) throw new CliArgumentError('expected an integer');
  return n;
}

/** A parser for finite numbers in a range, e.g. `cliNumberIn({ above: 0 })` for a learning rate. */
export function cliNumberIn(range: CliRange): (value: string) => number {
  return (value) => checkRange(cliNumber(value), 'a number', range);
}

/** A parser for integers in a range, e.g. `cliIntegerIn({ min: 1, max: 1000 })` for a sample count. */
export function cliIntegerIn(range: CliRange): (value: string) => number {
  return (value) => {
    const n = strictNumber(value);
    if (!Number.isSafeInteger(n)) throw new CliArgumentError(`expected ${describeRange('an integer', range)}`);
    return checkRange(n, 'an integer', range);
  };
}

/** A parser for comma-separated integers in a range (`--hidden 256,256`); empty items are refused. */
export function cliIntegerList(range: CliRange): (value: string) => number[] {
  const one = cliIntegerIn(range);
  return (value) => {
    try {
      return value.split(',').map((p) => one(p));
    } catch {
      throw new CliArgumentError(`expected a comma-separated list of ${describeRange('integers', range)}`);
    }
  };
}

/** A parser for comma-separated finite numbers in a range (`--scales 2,3,3.5`). */
export function cliNumberList(range: CliRange): (value: string) => number[] {
  const one = cliNumberIn(range);
  return (value) => {
    try {
      return value.split(',').map((p) => one(p));
    } catch {
      throw new CliArgumentError(`expected a comma-separated list of ${describeRange('numbers', range)}`);
    }
  };
}

/** A parser that accepts only the listed words (`--backbone edsr|rrdb`). */
export function cliChoice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new CliArgumentError(`expected one of ${choices.join(', ')}`);
  };
}

/** Largest scale factor {@link cliScale} accepts (an output-size check follows once the input size is known). */
export const CLI_MAX_SCALE = 64;

/**
 * Commander parser of a scale: `s` or `SYxSX` (e.g. `3.7`, `2x3`), each a finite number > 1 and
 * ≤ {@link CLI_MAX_SCALE}. Returns a number or `[sy, sx]`. `2x3x4`, `2x`, `x2`, `''` are refused.
 */
export function cliScale(value: string): number | [number, number] {
  const parts = value.toLowerCase().split('x').map(strictNumber);
  if ((parts.length !== 1 && parts.length !== 2) || parts.some((s) => !Number.isFinite(s) || !(s > 1) || s > CLI_MAX_SCALE))
    throw new CliArgumentError(`expected a number > 1 and ≤ ${CLI_MAX_SCALE}, or SYxSX (e.g. 3.7 or 2x3)`);
  return parts.length === 2 ? [parts[0]!, parts[1]!] : parts[0]!;
}

/** Help text of the `--backend <name>` option every CLI offers (default `'auto'`). */
export const CLI_BACKEND_HELP = 'tfjs backend: auto, webgpu, wasm, cpu';

/** Commander parser of `--backend <name>`: one of the names `initBackend` knows, else a usage error at parse time. */
export const cliBackend: (value: string) => BackendName = cliChoice<BackendName>(['auto', 'webgpu', 'webgl', 'wasm', 'cpu']);
