import * as fs from 'node:fs';
import * as os from 'node:os';

/** One run segment of a resumable training run: one process, from a resume to its last checkpoint. */
export interface RunSegment {
  /** ISO times of the process start and of its last checkpoint. */
  started: string;
  ended: string;
  /** Steps done when the segment started and at its last checkpoint. */
  fromStep: number;
  toStep: number;
  /** Wall-clock seconds of training in this segment (up to its last checkpoint). */
  seconds: number;
  /** Where it ran: CPU model, logical cores, OS, Node version, tfjs backend and threads. */
  machine: { cpu: string; cores: number; os: string; node: string; backend: string; threads: number };
  /** The learning-rate schedule the segment used (it can be changed at a resume). */
  schedule: { lr: number; milestones: number[]; gamma: number; warmup?: number };
  /** Probability of an integer training scale in this segment, when not 0 (a protocol change at a resume). */
  integerScaleProb?: number;
}

/** Describes this machine for {@link RunSegment.machine}. */
export function thisMachine(backend: string, threads: number): RunSegment['machine'] {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, os: `${os.platform()} ${os.release()}`, node: process.version, backend, threads };
}

/** Reads the run log (a JSON array; missing file → empty). */
export function readRunLog(file: string): RunSegment[] {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunSegment[]) : [];
}

/** Keeps the CSV rows whose first column (the step) is ≤ `step`, header included; returns the last kept row's fields. */
export function truncateCsv(file: string, header: string, step: number): string[] | null {
  const rows = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() && Number(l.split(',')[0]) <= step) : [];
  fs.writeFileSync(file, [header, ...rows].join('\n') + '\n');
  return rows.length ? rows[rows.length - 1].split(',') : null;
}

const f1 = (x: number) => x.toFixed(1);

/** The model card's run table: one row per segment, plus totals. */
export function runLogMarkdown(runs: RunSegment[], dir = 'training'): string {
  if (!runs.length) return '_No continuation run recorded yet._';
  const steps = runs.reduce((a, r) => a + r.toStep - r.fromStep, 0);
  const secs = runs.reduce((a, r) => a + r.seconds, 0);
  const lines = [
    `${runs.length} run segment(s), ${steps} steps in ${f1(secs / 3600)} h of training (log: \`${dir}/runs.json\`).`,
    '',
    '| # | started (UTC) | steps | hours | s/step | lr (milestones); protocol change | machine |',
    '|---|---|---|---|---|---|---|',
  ];
  runs.forEach((r, i) => {
    const n = r.toStep - r.fromStep;
    const warm = r.schedule.warmup && r.fromStep < r.schedule.warmup ? `, warm-up to step ${r.schedule.warmup}` : '';
    const ints = r.integerScaleProb ? `; integer scales p = ${r.integerScaleProb}` : '';
    const sched = `${r.schedule.lr.toExponential(1)}${r.schedule.milestones.length ? ` (×${r.schedule.gamma} at ${r.schedule.milestones.join(', ')})` : ''}${warm}${ints}`;
    const m = r.machine;
    lines.push(
      `| ${i + 1} | ${r.started.slice(0, 16).replace('T', ' ')} | ${r.fromStep}–${r.toStep} | ${(r.seconds / 3600).toFixed(2)} | ${n ? (r.seconds / n).toFixed(2) : '–'} | ${sched} | ${m.cpu}, ${m.cores} cores, ${m.backend} ×${m.threads} |`,
    );
  });
  return lines.join('\n');
}

/** The model card's held-out curve: the CSV rows (`step,elapsed_s,bicubic_x2,ciaosr_x2,…`) as a table, thinned to ~`points` rows. */
export function heldOutMarkdown(csv: string, photo: string, points = 15, opts: { dir?: string; stepZero?: string } = {}): string {
  const [head, ...body] = fs.existsSync(csv) ? fs.readFileSync(csv, 'utf8').trim().split('\n') : [''];
  if (!body.length) return '_No held-out evaluation recorded yet._';
  const cols = head.split(',');
  const scales = cols.filter((c) => c.startsWith('ciaosr_x')).map((c) => c.slice(8));
  const rows = body.map((l) => l.split(',').map(Number));
  const at = (r: number[], c: string) => r[cols.indexOf(c)];
  const keep = rows.filter((_, i) => i === 0 || i === rows.length - 1 || i % Math.max(1, Math.ceil(rows.length / points)) === 0);
  const lines = [
    `PSNR-Y (dB, border = scale) on the centre crop of the held-back \`${photo}\`; step 0 is ${opts.stepZero ?? 'the shipped `weights/default.safetensors`'} (log: \`${opts.dir ?? 'training'}/heldout.csv\`).`,
    '',
    `| step | hours | ${scales.map((s) => `×${s} CiaoSR (bicubic)`).join(' | ')} |`,
    `|---|---|${scales.map(() => '---').join('|')}|`,
  ];
  for (const r of keep)
    lines.push(`| ${at(r, 'step')} | ${(at(r, 'elapsed_s') / 3600).toFixed(2)} | ${scales.map((s) => `${at(r, `ciaosr_x${s}`).toFixed(2)} (${at(r, `bicubic_x${s}`).toFixed(2)})`).join(' | ')} |`);
  return lines.join('\n');
}
