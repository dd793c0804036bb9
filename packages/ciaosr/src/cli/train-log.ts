import * as fs from 'node:fs';

/** One row of the training CSV log (`step,loss,lr,elapsed_s`). */
export interface TrainLogRow {
  step: number;
  loss: number;
  lr: number;
  /** Wall-clock seconds of training since the first step, summed over resumed runs. */
  elapsed: number;
}

/** Header line of the CSV log. */
export const TRAIN_LOG_HEADER = 'step,loss,lr,elapsed_s';

/** Reads the CSV log (missing file → no rows). */
export function readTrainLog(file: string): TrainLogRow[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const [step, loss, lr, elapsed] = l.split(',').map(Number);
      return { step, loss, lr, elapsed };
    });
}

/**
 * Keeps the rows up to `step` (a resumed run restarts from its last checkpoint, so rows written after
 * it are replayed) and returns the elapsed time of the last kept row.
 */
export function truncateTrainLog(file: string, step: number): number {
  const rows = readTrainLog(file).filter((r) => r.step <= step);
  fs.writeFileSync(file, [TRAIN_LOG_HEADER, ...rows.map(formatRow)].join('\n') + '\n');
  return rows.length ? rows[rows.length - 1].elapsed : 0;
}

/** One CSV line. */
export function formatRow(r: TrainLogRow): string {
  return `${r.step},${r.loss.toFixed(6)},${r.lr.toExponential(3)},${r.elapsed.toFixed(2)}`;
}

/** Summary of a finished (or interrupted) run, as stored in `weights/default.json`. */
export interface TrainSummary {
  steps: number;
  seconds: number;
  secondsPerStep: number;
  /** Mean L1 loss of the first and last 50 steps (the per-step loss is noisy). */
  lossStart: number;
  lossEnd: number;
}

/** Summarises the log: steps, time, s/step (after the first step, which includes kernel warm-up), loss. */
export function summarizeTrainLog(rows: TrainLogRow[]): TrainSummary {
  if (!rows.length) throw new Error('the training log is empty');
  const last = rows[rows.length - 1];
  const mean = (rs: TrainLogRow[]) => rs.reduce((a, r) => a + r.loss, 0) / rs.length;
  const spp = rows.length > 1 ? (last.elapsed - rows[0].elapsed) / (last.step - rows[0].step) : last.elapsed / last.step;
  return { steps: last.step, seconds: last.elapsed, secondsPerStep: spp, lossStart: mean(rows.slice(0, 50)), lossEnd: mean(rows.slice(-50)) };
}

/**
 * The model card's training section: totals plus a loss curve as a Markdown table, the L1 loss
 * averaged over ~`points` equal windows of steps (window means, since single-batch losses of 8 random
 * crops are noisy), with the learning rate and elapsed time at each window's end.
 */
export function trainLogMarkdown(rows: TrainLogRow[], points = 20): string {
  const s = summarizeTrainLog(rows);
  const win = Math.max(1, Math.ceil(rows.length / points));
  const lines = [
    `Trained ${s.steps} steps in ${(s.seconds / 60).toFixed(1)} min (${s.secondsPerStep.toFixed(2)} s/step); ` +
      `L1 loss (mean of 50 steps) ${s.lossStart.toFixed(4)} → ${s.lossEnd.toFixed(4)}. Log: \`bench/results/default-train.csv\`.`,
    '',
    `| steps | mean L1 loss | lr | elapsed (min) |`,
    `|---|---|---|---|`,
  ];
  for (let i = 0; i < rows.length; i += win) {
    const w = rows.slice(i, i + win);
    const end = w[w.length - 1];
    const loss = w.reduce((a, r) => a + r.loss, 0) / w.length;
    lines.push(`| ${w[0].step}–${end.step} | ${loss.toFixed(4)} | ${end.lr.toExponential(1)} | ${(end.elapsed / 60).toFixed(1)} |`);
  }
  return lines.join('\n');
}
