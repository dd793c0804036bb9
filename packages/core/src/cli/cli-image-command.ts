/**
 * What every `@sr` command that writes images (`ciaosr upscale`, `lar-sr sample`, `vspsr sample`,
 * `refvae upscale`, `localsr upscale`) shares: the same closing options with the same help, and the same
 * pre-flight of its output files, so that these commands cannot drift apart. Commander-free, like the
 * rest of the CLI helpers (see `cli-util.ts` for why).
 * @module
 */
import type { BackendName } from '../backend/init-backend.js';
import { cliBitDepth } from './cli-image.js';
import { cliCheckOutputFile, cliCheckStdoutCount, cliPrepareOutputDir } from './cli-output.js';
import { CLI_BACKEND_HELP, cliBackend } from './cli-options.js';

/** The part of a commander `Command` that {@link cliImageWriterOptions} uses. */
export interface CliOptionTarget {
  /** Commander's `Command.option(flags, description, parser?, default?)`. */
  option(flags: string, description: string, parseArg?: (value: string, previous: never) => unknown, defaultValue?: unknown): unknown;
}

/** The values of the options {@link cliImageWriterOptions} adds, as commander parses them. */
export interface CliImageWriterValues {
  /** `--bit-depth 8|16`; undefined: the input's. */
  bitDepth?: 8 | 16;
  /** `--force`: an output may overwrite an input. */
  force?: boolean;
  /** `--backend <name>` (default `'auto'`). */
  backend: BackendName;
  /** `-q, --quiet`: no progress. */
  quiet?: boolean;
}

/**
 * Adds the options every image-writing `@sr` command ends with — `--bit-depth <n>`, `--force`,
 * `--backend <name>` (default `auto`) and `-q, --quiet` — and returns `command` for chaining
 * (`cliImageWriterOptions(program.command('sample')…).action(…)`).
 * @param opts.backendFlags - the flags of the backend option, when a command also offers a short one
 *   (`'-b, --backend <name>'`); default `'--backend <name>'`.
 */
export function cliImageWriterOptions<T extends CliOptionTarget>(command: T, opts: { backendFlags?: string } = {}): T {
  command.option('--bit-depth <n>', "8 or 16 bits per sample of PNG output (default: the input's)", cliBitDepth);
  command.option('--force', 'allow an output to overwrite an input');
  command.option(opts.backendFlags ?? '--backend <name>', CLI_BACKEND_HELP, cliBackend, 'auto' as BackendName);
  command.option('-q, --quiet', 'no progress');
  return command;
}

/** Options of {@link cliCheckImageOutputs}. */
export interface CliImageOutputsCheck {
  /** Input files of the run (writing over one is refused unless `force`). */
  inputs?: readonly (string | undefined)[];
  /** `--force`. */
  force?: boolean;
  /** `output` is a folder (created when missing) rather than a file name pattern. */
  folder?: boolean;
}

/**
 * The pre-flight of a command that writes several images named `files` under the `-o` value
 * `output`, before any work: `-` (stdout) takes one image only (`--count`), a folder output is
 * created, and each file must be writable, not an input (unless `force`) and named with an image
 * extension (see `cliCheckOutputFile`). Throws a `CliUsageError`. Node only.
 */
export async function cliCheckImageOutputs(output: string, files: readonly string[], opts: CliImageOutputsCheck = {}): Promise<void> {
  cliCheckStdoutCount(output, files.length);
  if (opts.folder && output !== '-') await cliPrepareOutputDir(output);
  for (const file of files) await cliCheckOutputFile(file, { inputs: opts.inputs, force: opts.force, image: true });
}
