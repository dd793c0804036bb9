/**
 * Errors thrown by `@sr` packages. Every error has a stable `code` and a message that names the problem
 * and, where possible, the fix. Catch `SrError` to handle any of them.
 * @module
 */

/** Base class of all `@sr` errors. */
export class SrError extends Error {
  /** Stable machine-readable code, e.g. `'E_SHAPE'`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad user input: wrong shape or channel count, NaN, empty image, unknown scale, bad option. */
export class InputError extends SrError {
  constructor(message: string, code = 'E_INPUT') {
    super(code, message);
  }
}

/** A checkpoint file that cannot be read: truncated, corrupted, unsupported or unsafe pickle. */
export class CheckpointError extends SrError {
  constructor(message: string, code = 'E_CHECKPOINT', options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Report of how a state dict matched a module (keys in PyTorch naming). */
export interface StateDictReport {
  /** Keys the module expects but the state dict lacks. */
  missing: string[];
  /** Keys in the state dict the module does not have. */
  unexpected: string[];
  /** Keys present on both sides with different shapes. */
  shapeMismatch: { key: string; expected: number[]; got: number[] }[];
}

/** A state dict that does not match the module it is loaded into (strict loading). */
export class StateDictMismatchError extends SrError {
  readonly report: StateDictReport;
  constructor(report: StateDictReport, context = 'model') {
    const parts: string[] = [];
    const list = (xs: string[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
    if (report.missing.length) parts.push(`missing keys: ${list(report.missing)}`);
    if (report.unexpected.length) parts.push(`unexpected keys: ${list(report.unexpected)}`);
    if (report.shapeMismatch.length)
      parts.push(
        'shape mismatch: ' +
          report.shapeMismatch
            .slice(0, 12)
            .map((m) => `${m.key} expected [${m.expected}] got [${m.got}]`)
            .join('; '),
      );
    super(
      'E_STATE_DICT',
      `Checkpoint does not match ${context}: ${parts.join('; ')}. ` +
        'Check that the weights belong to this architecture and configuration, or load with { strict: false }.',
    );
    this.report = report;
  }
}

/** The requested backend is unavailable or failed to initialise. */
export class BackendError extends SrError {
  constructor(message: string) {
    super('E_BACKEND', message);
  }
}

/** The operation was cancelled through an AbortSignal. */
export class AbortError extends SrError {
  constructor(message = 'The operation was aborted.') {
    super('E_ABORTED', message);
  }
}

/** Throws {@link AbortError} if the signal is aborted. Call between units of work. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortError();
}
