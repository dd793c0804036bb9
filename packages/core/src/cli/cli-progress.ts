/**
 * Progress for the `@sr` CLIs that also works when stderr is not a terminal (CI logs, `2> log.txt`,
 * a parent process): a redrawn bar on a TTY, else plain lines — one per step, at most one per 5 % of
 * the total — so a long run in a log still shows that it moves. `cli-progress` (the TTY bar) stays in
 * the packages: this module, part of the browser-safe core index, depends on nothing.
 * @module
 */

/** The part of a `cli-progress` `SingleBar` used here. */
export interface CliBar {
  /** Shows the bar at `value` of `total`. */
  start(total: number, value: number, payload?: Record<string, unknown>): void;
  /** Moves the bar to `value`. */
  update(value: number, payload?: Record<string, unknown>): void;
  /** Stops redrawing. */
  stop(): void;
}

/** A progress report: `start` once, `update` as work is done, `stop` at the end (safe to call twice). */
export interface CliProgress {
  /** Begins a run of `total` steps (`payload`: named values shown with the count). */
  start(total: number, payload?: Record<string, unknown>): void;
  /** `done` steps of the total are finished. */
  update(done: number, payload?: Record<string, unknown>): void;
  /** Ends the run (stops the bar's redraws). */
  stop(): void;
}

/** Options of {@link cliProgress}. */
export interface CliProgressOptions {
  /** Program name, the prefix of plain lines (`ciaosr: upscaling 3/12 …`). */
  name: string;
  /** What is counted, e.g. `'upscaling'`, `'samples'`. */
  what: string;
  /** No output at all (`-q`). */
  quiet?: boolean;
  /** Makes the TTY bar (e.g. `() => new SingleBar({...})`); without it plain lines are used everywhere. */
  bar?: () => CliBar;
  /** Where plain lines go (default stderr). Tests pass their own. */
  write?: (line: string) => void;
  /** Treat stderr as a TTY or not (default `process.stderr.isTTY`). */
  tty?: boolean;
}

const payloadText = (p?: Record<string, unknown>) =>
  p
    ? Object.entries(p)
        .filter(([, v]) => v !== '' && v !== undefined)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')
    : '';

/** A progress reporter: the bar on a TTY, one line per step (≤ 1 per 5 %) otherwise, nothing when quiet. */
export function cliProgress(opts: CliProgressOptions): CliProgress {
  const noop = () => {};
  if (opts.quiet) return { start: noop, update: noop, stop: noop };
  const tty = opts.tty ?? !!(typeof process !== 'undefined' && process.stderr?.isTTY);
  if (tty && opts.bar) {
    const bar = opts.bar();
    let running = false;
    return {
      start: (total, payload) => {
        bar.start(total, 0, payload);
        running = true;
      },
      update: (done, payload) => running && bar.update(done, payload),
      stop: () => {
        if (running) bar.stop();
        running = false;
      },
    };
  }
  const write = opts.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  let total = 0;
  let lastBucket = -1;
  let lastDone = -1;
  return {
    start: (t) => {
      total = t;
      lastBucket = -1;
      lastDone = -1;
    },
    update: (done, payload) => {
      if (done === lastDone) return;
      const bucket = total > 0 ? Math.floor((done / total) * 20) : done;
      if (bucket === lastBucket && done !== total) return;
      lastBucket = bucket;
      lastDone = done;
      const extra = payloadText(payload);
      write(`${opts.name}: ${opts.what} ${done}/${total}${total > 0 ? ` (${Math.round((done / total) * 100)} %)` : ''}${extra ? `, ${extra}` : ''}`);
    },
    stop: noop,
  };
}
