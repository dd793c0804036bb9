/**
 * `sr-ckpt`: look inside checkpoints without Python.
 * - `sr-ckpt inspect <file> [--key k] [--json]` lists the state dict's keys, dtypes, shapes and the
 *   parameter count (the state dict is auto-detected in nested training checkpoints, see `readCheckpoint`);
 * - `sr-ckpt convert <in.pth> <out.safetensors> [--key k]` rewrites it as safetensors (PyTorch names and
 *   layouts unchanged, so `safetensors.torch.load_file` loads it back).
 * @module
 */
import { writeFile } from 'node:fs/promises';
// A Node-only CLI: install the Node platform (file paths, fs) that the browser-clean modules reach through.
import '../platform/node-install.js';
import { Command } from 'commander';
import { cliCheckOutputFile, cliConfigure, cliRun, CliUsageError } from './cli-util.js';
import { readCheckpointObject, selectStateDict } from '../io/checkpoint.js';
import { writeSafetensors } from '../io/safetensors.js';
import { numel } from '../io/tensor-data.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

const consoleIO: CliIO = { out: (l) => console.log(l), err: (l) => console.error(l) };

async function inspect(file: string, opts: { key?: string; json?: boolean }, io: CliIO): Promise<number> {
  const obj = await readCheckpointObject(file);
  const { stateDict, key } = selectStateDict(obj, opts.key, file);
  const rows = Object.entries(stateDict).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, numel: numel(t.shape) }));
  const params = rows.reduce((a, r) => a + r.numel, 0);
  if (opts.json) {
    io.out(JSON.stringify({ file, key, tensors: rows.length, parameters: params, keys: rows }, null, 2));
    return 0;
  }
  io.out(`${file}${key ? `  (state dict at '${key}')` : ''}`);
  const w = Math.max(4, ...rows.map((r) => r.name.length));
  for (const r of rows) io.out(`  ${r.name.padEnd(w)}  ${r.dtype.padEnd(8)}  [${r.shape.join(', ')}]`);
  io.out(`${rows.length} tensors, ${params.toLocaleString('en-US')} parameters`);
  return 0;
}

async function convert(input: string, output: string, opts: { key?: string; force?: boolean }, io: CliIO): Promise<number> {
  if (output === '-') throw new CliUsageError("convert writes a file: '-' (stdout) is not supported");
  if (!/\.safetensors$/i.test(output)) throw new CliUsageError(`the output must be a .safetensors file, got '${output}'`);
  await cliCheckOutputFile(output, { inputs: [input], force: opts.force });
  const obj = await readCheckpointObject(input);
  const { stateDict, key } = selectStateDict(obj, opts.key, input);
  const bytes = writeSafetensors(stateDict, { format: 'pt' });
  await writeFile(output, bytes);
  io.out(`wrote ${output}: ${Object.keys(stateDict).length} tensors, ${bytes.length} bytes${key ? ` (from '${key}')` : ''}`);
  return 0;
}

/** Entry point of the `sr-ckpt` binary; returns the exit code. */
export async function main(argv: string[], io: CliIO = consoleIO): Promise<number> {
  let result = 0;
  const program = cliConfigure(new Command('sr-ckpt'), 'sr-ckpt', { writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) }).description(
    'Inspect and convert PyTorch (.pth, legacy or zip, optionally gzipped) and safetensors checkpoints',
  );
  program
    .command('inspect')
    .argument('<file>', 'checkpoint path (.pth, .pth.gz, .safetensors) or http(s) URL')
    .option('--key <path>', "dotted path of the state dict inside the checkpoint, e.g. 'params_ema' or 'model.sd'")
    .option('--json', 'print JSON')
    .description('list keys, dtypes, shapes and the parameter count')
    .action(async (file: string, opts: { key?: string; json?: boolean }) => {
      result = await inspect(file, opts, io);
    });
  program
    .command('convert')
    .argument('<input>', 'checkpoint to read')
    .argument('<output>', 'safetensors file to write (its folder must exist)')
    .option('--key <path>', 'dotted path of the state dict inside the checkpoint')
    .option('--force', 'allow the output to overwrite the input')
    .description('write the state dict as safetensors')
    .action(async (input: string, output: string, opts: { key?: string; force?: boolean }) => {
      result = await convert(input, output, opts, io);
    });
  const exit = await cliRun(program, argv, { name: 'sr-ckpt', log: (l) => io.err(l) });
  return exit || result;
}
