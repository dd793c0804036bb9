import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  CLI_BACKEND_HELP,
  cliBackend,
  cliConfigure,
  cliInteger,
  cliIntegerIn,
  cliNumberIn,
  cliNumberList,
  cliRun,
  initBackend,
  readSafetensors,
  writeSafetensors,
  type BackendName,
} from '@sr/core';
import { trainCiaoSR, type TrainState } from '../train.js';
import { CONFIG_METADATA_KEY, DEFAULT_MODEL_CONFIG } from '../default-weights.js';
import { defaultPaths, replaceBetweenMarkers } from './default-paths.js';
import { formatRow, readTrainLog, summarizeTrainLog, trainLogMarkdown, truncateTrainLog } from './train-log.js';

/** Persisted once the step count is fitted to the time budget, so a resumed run keeps the same schedule. */
interface Plan {
  steps: number;
  secondsPerStep: number;
}

/** Steps timed (after the first, which includes kernel set-up) before the step count is fitted to the budget. */
const CALIBRATION_STEPS = 10;

/** The options of {@link trainDefaultMain}, as commander parses them. */
interface TrainDefaultOptions {
  data: string;
  minutes: number;
  steps?: number;
  batch: number;
  inpSize: number;
  sampleQ: number;
  lr: number;
  milestones: number[];
  saveMinutes: number;
  work: string;
  fresh?: boolean;
  out: string;
  log: string;
  card: string;
  backend: BackendName;
  threads: number;
  seed: number;
}

/**
 * `npm run train:default -w @sr/ciaosr` — trains the built-in default weights
 * ({@link DEFAULT_MODEL_CONFIG}) on the PNGs of `../shared/datasets/photos` with the official CiaoSR
 * protocol (LR crops at s ~ U(1, 4), sampled HR pixels, L1, Adam) sized for a CPU: batch 4, 32×32 crops,
 * 1024 pixels per crop, lr 8e-4 (see MODEL_CARD.md for the run that produced the shipped weights),
 * halved at 85 % and 95 % of the run. Without `--steps` the run length is
 * fitted to the `--minutes` budget: after {@link CALIBRATION_STEPS} timed steps the step count is
 * fixed to `budget / (s/step)` and the decay milestones follow it. Stops cleanly at the budget,
 * checkpoints every `--save-minutes` to `.train-default/` and resumes from there; logs
 * `step,loss,lr,elapsed_s` to CSV; finally writes `weights/default.safetensors` (+ `default.json`)
 * with the configuration in its metadata and fills the model card's training section.
 */
export async function trainDefaultMain(argv: string[], packageDir?: string): Promise<number> {
  const p = defaultPaths(packageDir);
  const program = cliConfigure(new Command('train-default'), 'train-default');
  program
    .option('--data <dir>', 'folder of HR training images', path.join(p.datasets, 'photos'))
    .option('--minutes <m>', 'wall-clock budget in minutes (whole run, resumed runs included)', cliNumberIn({ above: 0 }), 55)
    .option('--steps <n>', 'fixed number of steps (default: fitted to --minutes)', cliIntegerIn({ min: 1 }))
    .option('--batch <n>', 'batch size (8 at 48² exceeds the 4 GiB WASM heap)', cliIntegerIn({ min: 1 }), 4)
    .option('--inp-size <n>', 'LR crop side (official 48)', cliIntegerIn({ min: 1 }), 32)
    .option('--sample-q <n>', 'sampled HR pixels per crop (official 2304)', cliIntegerIn({ min: 1 }), 1024)
    .option('--lr <x>', 'initial Adam learning rate', cliNumberIn({ above: 0 }), 8e-4)
    .option('--milestones <list>', 'lr halvings as fractions of the run', cliNumberList({ min: 0, max: 1 }), [0.85, 0.95])
    .option('--save-minutes <m>', 'checkpoint period in minutes', cliNumberIn({ above: 0 }), 5)
    .option('--work <dir>', 'checkpoint folder (resumed from when it holds a checkpoint)', p.work)
    .option('--fresh', 'ignore an existing checkpoint in --work and start over')
    .option('--out <file>', 'final weights', p.weights)
    .option('--log <file>', 'CSV log', path.join(p.results, 'default-train.csv'))
    .option('--card <file>', 'model card whose train markers are filled ("none" to skip)', p.modelCard)
    .option('--backend <name>', CLI_BACKEND_HELP, cliBackend, 'wasm' as BackendName)
    .option('--threads <n>', 'wasm threads', cliIntegerIn({ min: 1 }), 2)
    .option('--seed <n>', 'random seed', cliInteger, 0)
    .action((o: TrainDefaultOptions) => trainDefault(o));
  return cliRun(program, argv, { name: 'train-default' });
}

async function trainDefault(o: TrainDefaultOptions): Promise<void> {
  const report = await initBackend(o.backend, { wasmThreads: o.threads });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`backend: ${report.summary}`);

  const ckpt = path.join(o.work, 'ckpt.safetensors');
  const planFile = path.join(o.work, 'plan.json');
  if (o.fresh) for (const f of [ckpt, `${ckpt}.json`, `${ckpt}.optim.safetensors`, planFile]) fs.rmSync(f, { force: true });
  const resume = fs.existsSync(`${ckpt}.json`) ? ckpt : undefined;
  const resumedStep = resume ? (JSON.parse(fs.readFileSync(`${ckpt}.json`, 'utf8')) as TrainState).step : 0;
  fs.mkdirSync(path.dirname(path.resolve(o.log)), { recursive: true });
  const elapsed0 = truncateTrainLog(o.log, resumedStep);
  let plan: Plan | null = o.steps ? { steps: o.steps, secondsPerStep: NaN } : fs.existsSync(planFile) ? (JSON.parse(fs.readFileSync(planFile, 'utf8')) as Plan) : null;
  const budget = o.minutes * 60;
  const milestones = o.milestones;
  if (resume) log(`resuming from ${ckpt} at step ${resumedStep} (${(elapsed0 / 60).toFixed(1)} min done)`);
  log(`data: ${o.data}; budget ${o.minutes} min; ${plan ? `${plan.steps} steps` : 'steps fitted to the budget'}`);

  const t0 = Date.now();
  const elapsed = () => elapsed0 + (Date.now() - t0) / 1000;
  let stopReason = '';
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    log('interrupted: checkpointing…');
  };
  process.on('SIGINT', onSigint);
  let calStart = 0;
  let calFrom = -1;
  const lrAt = (step: number) => {
    if (!plan) return o.lr;
    const n = milestones.filter((f) => step >= Math.round(f * plan!.steps)).length;
    return o.lr * 0.5 ** n;
  };
  try {
    const { model, step } = await trainCiaoSR({
      data: o.data,
      steps: plan ? plan.steps : 10_000_000,
      out: ckpt,
      resume,
      ...DEFAULT_MODEL_CONFIG,
      hidden: [...DEFAULT_MODEL_CONFIG.hidden],
      batchSize: o.batch,
      inpSize: o.inpSize,
      sampleQ: o.sampleQ,
      scaleMax: 4,
      lr: o.lr,
      milestones,
      seed: o.seed,
      schedule: lrAt,
      saveEverySeconds: o.saveMinutes * 60,
      shouldStop: (s) => {
        if (interrupted) stopReason = 'interrupted (SIGINT)';
        else if (elapsed() >= budget) stopReason = `time budget of ${o.minutes} min reached`;
        else if (plan && s >= plan.steps) stopReason = `${plan.steps} steps done`;
        return !!stopReason;
      },
      onStep: (s, loss, lr) => {
        const e = elapsed();
        fs.appendFileSync(o.log, formatRow({ step: s, loss, lr, elapsed: e }) + '\n');
        if (s === resumedStep + 1) {
          calStart = Date.now();
          calFrom = s;
        }
        const sps = s > calFrom && calFrom > 0 ? (Date.now() - calStart) / 1000 / (s - calFrom) : NaN;
        if (!plan && s - calFrom === CALIBRATION_STEPS) {
          plan = { steps: Math.max(s + 1, s + Math.floor((budget - e) / sps)), secondsPerStep: sps };
          fs.mkdirSync(o.work, { recursive: true });
          fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
          log(`measured ${sps.toFixed(3)} s/step → planned ${plan.steps} steps in ${o.minutes} min; lr halved at steps ${milestones.map((f) => Math.round(f * plan!.steps)).join(', ')}`);
        }
        log(`step ${s} loss ${loss.toFixed(4)} lr ${lr.toExponential(1)} ${Number.isFinite(sps) ? `${sps.toFixed(3)} s/step` : ''} elapsed ${e.toFixed(1)} s`);
      },
    });
    model.dispose();
    log(`stopped at step ${step}: ${stopReason || 'done'}`);
    exportWeights(ckpt, o.out, o.log, o.data);
    log(`wrote ${o.out} and ${o.out.replace(/\.safetensors$/, '.json')}`);
    if (o.card !== 'none' && fs.existsSync(o.card)) {
      replaceBetweenMarkers(o.card, 'train', trainLogMarkdown(readTrainLog(o.log)));
      log(`filled the training section of ${o.card}`);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * Copies the checkpoint's weights to `out` with the configuration and a training summary in the
 * safetensors metadata, and writes the `default.json` sidecar (the Adam moments stay in the work folder).
 */
function exportWeights(ckpt: string, out: string, logFile: string, data: string): void {
  const side = JSON.parse(fs.readFileSync(`${ckpt}.json`, 'utf8')) as TrainState;
  const { stateDict } = readSafetensors(new Uint8Array(fs.readFileSync(ckpt)));
  const summary = summarizeTrainLog(readTrainLog(logFile).filter((r) => r.step <= side.step));
  const images = fs.readdirSync(data).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  const info = { config: side.config, protocol: side.protocol, train: { ...summary, images, date: new Date().toISOString() } };
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(
    out,
    writeSafetensors(stateDict, { format: 'pt', [CONFIG_METADATA_KEY]: JSON.stringify(side.config), step: String(side.step), ciaosr_train: JSON.stringify(info.train) }),
  );
  fs.writeFileSync(out.replace(/\.safetensors$/, '.json'), JSON.stringify(info, null, 2) + '\n');
}
