import { CommanderError } from 'commander';

/**
 * Commander parser for numeric options of the ciaosr CLIs (`upscale`, `train`, `train-default`,
 * `eval-default`): a finite number, else a usage error (exit code 2).
 */
export const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CommanderError(2, 'E_ARG', `not a number: ${v}`);
  return n;
};
