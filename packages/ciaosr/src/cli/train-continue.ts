import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  CLI_BACKEND_HELP,
  InputError,
  TRAINING_PHOTO_FOLDERS,
  cliBackend,
  cliConfigure,
  cliInteger,
  cliIntegerIn,
  cliIntegerList,
  cliNumberIn,
  cliRun,
  initBackend,
  listTrainingPhotos,
  readImage,
  toTrainImage,
  writeSafetensors,
  type BackendName,
  type TrainImage,
} from '@sr/core';
import { createCiaoSRBackbone } from '../backbones.js';
import { CONFIG_METADATA_KEY, readWeightsWithConfig } from '../default-weights.js';
import { CiaoSR } from '../model.js';
import { trainCiaoSR, type TrainSnapshot } from '../train.js';
import { decodeTrainState, encodeTrainState, scheduleLr, writeFileAtomic, type TrainStateMeta } from '../train-state.js';
import { defaultPaths, type DefaultPaths } from './default-paths.js';
import { evalHeldOut, prepareHeldOut, type HeldOutSet } from './heldout.js';
import { readRunLog, thisMachine, truncateCsv, type RunSegment } from './run-log.js';
import { CURVE_PHOTO } from './train-data.js';

const LOSS_HEADER = 'step,loss,lr,elapsed_s';

/** `--milestones`: absolute steps; the empty string clears them (a new schedule without decay). */
const milestoneList = (value: string): number[] => (value.trim() ? cliIntegerList({ min: 0 })(value) : []);

/** The options of {@link trainContinueMain}, as commander parses them. */
interface ContinueOptions {
  dir: string;
  init: string;
  data?: string;
  heldout: string;
  heldoutSize: number;
  evalScales: number[];
  evalEvery: number;
  steps: number;
  minutes: number;
  saveMinutes: number;
  printEvery: number;
  lr?: number;
  milestones?: number[];
  gamma?: number;
  integerScales?: number;
  warmup: number;
  batch: number;
  inpSize: number;
  sampleQ: number;
  seed: number;
  export?: string;
  backend: BackendName;
  threads: number;
}

/**
 * `npm run train:continue -w @sr/ciaosr` — continues the built-in CiaoSR's training run from the
 * training state committed in `training/` (or, the first time, from `weights/default.safetensors` with
 * fresh Adam moments), on every training photo but the held-back ones (core's `listTrainingPhotos`).
 *
 * Exact resume: `training/state.safetensors` holds the weights, the float32 Adam moments and, in its
 * metadata, the step, the RNG state (which fixes the data stream), the protocol and the lr schedule (a
 * function of the step); it is rewritten atomically every `--save-minutes` and at SIGINT/SIGTERM. A
 * resumed run therefore draws the same batches and makes the same updates as an uninterrupted one.
 * Records: `training/loss.csv` (per step), `training/heldout.csv` (PSNR-Y on the held-back photo every
 * `--eval-every` steps), `training/runs.json` (one entry per process: steps, wall time, machine).
 * `npm run card:training -w @sr/ciaosr` renders them into MODEL_CARD.md.
 */
export async function trainContinueMain(argv: string[], packageDir?: string): Promise<number> {
  const p = defaultPaths(packageDir);
  const program = cliConfigure(new Command('train-continue'), 'train-continue');
  program
    .option('--dir <dir>', 'training-state folder (state.safetensors, state.json, loss.csv, heldout.csv, runs.json)', path.join(p.packageDir, 'training'))
    .option('--init <file>', 'weights to start from when --dir holds no state (with a stored configuration)', p.weights)
    .option('--data <dirs>', 'comma-separated folders of training PNGs (default: the built-in training folders minus the held-back photos)')
    .option('--heldout <file>', 'held-back photo for the PSNR curve', path.join(p.datasets, CURVE_PHOTO))
    .option('--heldout-size <n>', 'side of its centre crop (a multiple of 12)', cliIntegerIn({ min: 1 }), 384)
    .option('--eval-scales <list>', 'held-out scales', cliIntegerList({ min: 2, max: 64 }), [2, 3, 4])
    .option('--eval-every <n>', 'held-out evaluation period in steps (0: never)', cliIntegerIn({ min: 0 }), 200)
    .option('--steps <n>', 'stop when this many steps are done in total', cliIntegerIn({ min: 0 }), 1e9)
    .option('--minutes <m>', 'stop this process after this many minutes', cliNumberIn({ above: 0 }), Infinity)
    .option('--save-minutes <m>', 'checkpoint period in minutes', cliNumberIn({ above: 0 }), 5)
    .option('--print-every <n>', 'one progress line on stdout per n steps', cliIntegerIn({ min: 1 }), 10)
    .option('--lr <x>', 'learning rate (a new state; or a new schedule on resume, recorded in runs.json)', cliNumberIn({ above: 0 }))
    .option('--milestones <steps>', 'absolute steps where the lr is multiplied by --gamma', milestoneList)
    .option('--gamma <x>', 'lr decay factor', cliNumberIn({ above: 0 }))
    .option('--integer-scales <p>', 'probability of an integer training scale (2, 3 or 4) instead of U(1, 4); allowed on resume, recorded in runs.json', cliNumberIn({ min: 0, max: 1 }))
    .option('--warmup <n>', 'linear lr warm-up in steps (new state only)', cliIntegerIn({ min: 0 }), 200)
    .option('--batch <n>', 'batch size (new state only)', cliIntegerIn({ min: 1 }), 4)
    .option('--inp-size <n>', 'LR crop side (new state only)', cliIntegerIn({ min: 1 }), 32)
    .option('--sample-q <n>', 'sampled HR pixels per crop (new state only)', cliIntegerIn({ min: 1 }), 1024)
    .option('--seed <n>', 'seed of the data stream (new state only)', cliInteger, 1)
    .option('--export <file>', 'write the state\'s weights as a built-in weights file (e.g. weights/default.safetensors, with its .json) and exit')
    .option('--backend <name>', CLI_BACKEND_HELP, cliBackend, 'wasm' as BackendName)
    .option('--threads <n>', 'wasm threads', cliIntegerIn({ min: 1 }), 2)
    .action((o: ContinueOptions) => trainContinue(o, p));
  return cliRun(program, argv, { name: 'train-continue' });
}

async function trainContinue(o: ContinueOptions, p: DefaultPaths): Promise<void> {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  if (o.export) return exportState(path.join(o.dir, 'state.safetensors'), o.export, say);
  const report = await initBackend(o.backend, { wasmThreads: o.threads });
  const files = {
    state: path.join(o.dir, 'state.safetensors'),
    json: path.join(o.dir, 'state.json'),
    loss: path.join(o.dir, 'loss.csv'),
    heldout: path.join(o.dir, 'heldout.csv'),
    runs: path.join(o.dir, 'runs.json'),
  };
  fs.mkdirSync(o.dir, { recursive: true });

  // Where to start: the committed state, or the init weights at step 0.
  let meta: TrainStateMeta;
  let resumeFrom: TrainSnapshot | undefined;
  let initWeights;
  if (fs.existsSync(files.state)) {
    const st = decodeTrainState(new Uint8Array(fs.readFileSync(files.state)), files.state);
    meta = st.meta;
    resumeFrom = { ...st, config: meta.config, step: meta.step, rngState: meta.rngState, lr: scheduleLr(meta.schedule, meta.step), protocol: meta.protocol };
  } else {
    const w = await readWeightsWithConfig(o.init);
    if (!w.config) throw new InputError(`${o.init} stores no model configuration`, 'E_WEIGHTS_CONFIG');
    initWeights = w.stateDict;
    meta = {
      format: 1,
      step: 0,
      rngState: o.seed >>> 0,
      config: w.config,
      protocol: { batchSize: o.batch, inpSize: o.inpSize, sampleQ: o.sampleQ, scaleMax: 4, milestones: [], gamma: 0.5, seed: o.seed },
      schedule: { lr: 4e-4, milestones: [], gamma: 0.5, warmup: o.warmup },
      optimizer: { type: 'adam', betas: [0.9, 0.999], eps: 1e-8 },
    };
  }
  if (o.lr !== undefined) meta.schedule.lr = o.lr;
  if (o.milestones !== undefined) meta.schedule.milestones = o.milestones;
  if (o.gamma !== undefined) meta.schedule.gamma = o.gamma;
  if (o.integerScales !== undefined) meta.protocol = { ...meta.protocol, integerScaleProb: o.integerScales };
  const startStep = meta.step;

  // Logs written after the last checkpoint are replayed by this run: drop them.
  const lastLoss = truncateCsv(files.loss, LOSS_HEADER, startStep);
  const elapsed0 = lastLoss ? Number(lastLoss[3]) : 0;
  const scales = o.evalScales;
  const heldHeader = ['step', 'elapsed_s', ...scales.flatMap((s) => [`bicubic_x${s}`, `ciaosr_x${s}`])].join(',');
  const heldRows = truncateCsv(files.heldout, heldHeader, startStep);
  const runs = readRunLog(files.runs);
  const segment: RunSegment = {
    started: new Date().toISOString(),
    ended: new Date().toISOString(),
    fromStep: startStep,
    toStep: startStep,
    seconds: 0,
    machine: thisMachine(report.summary, o.threads),
    schedule: { ...meta.schedule, milestones: [...meta.schedule.milestones] },
    ...(meta.protocol.integerScaleProb ? { integerScaleProb: meta.protocol.integerScaleProb } : {}),
  };
  runs.push(segment);

  const images = await loadPhotos(o.data ? String(o.data).split(',').flatMap(pngsIn) : listTrainingPhotos(p.datasets));
  say(`train:continue — ${report.summary}; ${images.length} photos (${o.data ?? TRAINING_PHOTO_FOLDERS.join(', ')}); ${resumeFrom ? `resuming at step ${startStep}` : `new run from ${o.init}`}; state in ${o.dir}`);
  const held: HeldOutSet | null = o.evalEvery > 0 ? await prepareHeldOut(o.heldout, scales, o.heldoutSize) : null;

  const t0 = Date.now();
  const elapsed = () => elapsed0 + (Date.now() - t0) / 1000;
  const recordHeldOut = async (step: number, model: CiaoSR) => {
    if (!held) return;
    const te = Date.now();
    const r = await evalHeldOut(model, held);
    fs.appendFileSync(files.heldout, [step, elapsed().toFixed(1), ...r.flatMap((x) => [x.bicubic.toFixed(4), x.model.toFixed(4)])].join(',') + '\n');
    say(`held-out @${step}: ${r.map((x) => `×${x.scale} ${x.model.toFixed(2)} dB (bicubic ${x.bicubic.toFixed(2)})`).join(', ')} [${((Date.now() - te) / 1000).toFixed(0)} s]`);
  };
  if (held && startStep === 0 && !heldRows && initWeights) {
    // Step 0 of the curve: the weights the run starts from (the shipped ones).
    const model = new CiaoSR(createCiaoSRBackbone(meta.config.backbone, { feats: meta.config.feats, blocks: meta.config.blocks }), { hiddenList: meta.config.hidden });
    try {
      model.loadWeights(initWeights);
      await recordHeldOut(0, model);
    } finally {
      model.dispose();
    }
  }

  let stop = '';
  const onSignal = (sig: string) => () => {
    stop = sig;
    say(`${sig}: checkpointing at the end of this step…`);
  };
  const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
  for (const [s, h] of Object.entries(handlers)) process.on(s, h);
  let window: number[] = [];
  let tw = Date.now();
  try {
    const { model, step } = await trainCiaoSR({
      data: images,
      steps: o.steps,
      ...meta.config,
      resumeFrom,
      initWeights,
      ...meta.protocol,
      lr: scheduleLr(meta.schedule, startStep),
      schedule: (s) => scheduleLr(meta.schedule, s),
      saveEverySeconds: o.saveMinutes * 60,
      saveState: async (snap) => {
        meta = { ...meta, step: snap.step, rngState: snap.rngState };
        await writeFileAtomic(files.state, encodeTrainState(snap.weights, snap.moments, meta));
        await writeFileAtomic(files.json, JSON.stringify({ ...meta, lr: snap.lr, saved: new Date().toISOString() }, null, 2) + '\n');
        Object.assign(segment, { ended: new Date().toISOString(), toStep: snap.step, seconds: elapsed() - elapsed0 });
        await writeFileAtomic(files.runs, JSON.stringify(runs, null, 2) + '\n');
        say(`checkpoint: step ${snap.step} → ${files.state}`);
      },
      shouldStop: (s) => {
        if (!stop && elapsed() - elapsed0 >= o.minutes * 60) stop = `${o.minutes} min budget reached`;
        if (!stop && s >= o.steps) stop = `${o.steps} steps done`;
        return !!stop;
      },
      onStep: (s, loss, lr) => {
        fs.appendFileSync(files.loss, `${s},${loss.toFixed(6)},${lr.toExponential(3)},${elapsed().toFixed(2)}\n`);
        window.push(loss);
        if (s % o.printEvery === 0) {
          const sps = (Date.now() - tw) / 1000 / window.length;
          say(`step ${s} loss ${(window.reduce((a, b) => a + b, 0) / window.length).toFixed(5)} lr ${lr.toExponential(2)} ${sps.toFixed(2)} s/step elapsed ${(elapsed() / 3600).toFixed(2)} h`);
          window = [];
          tw = Date.now();
        }
      },
      afterStep: async (s, m) => {
        if (o.evalEvery > 0 && s % o.evalEvery === 0) await recordHeldOut(s, m);
      },
    });
    model.dispose();
    say(`stopped at step ${step}: ${stop || 'done'}`);
  } finally {
    for (const [s, h] of Object.entries(handlers)) process.off(s, h);
    held?.dispose();
  }
}

/**
 * Promotes the run's current weights to a built-in weights file: the tensors with the configuration in
 * `__metadata__.ciaosr_config` (what {@link loadDefaultWeights} reads), plus the `.json` sidecar.
 */
function exportState(stateFile: string, out: string, say: (s: string) => void): void {
  const { weights, meta } = decodeTrainState(new Uint8Array(fs.readFileSync(stateFile)), stateFile);
  const train = { continuation: { step: meta.step, state: 'training/state.safetensors', date: new Date().toISOString() } };
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, writeSafetensors(weights, { format: 'pt', [CONFIG_METADATA_KEY]: JSON.stringify(meta.config), step: String(meta.step), ciaosr_train: JSON.stringify(train) }));
  fs.writeFileSync(out.replace(/\.safetensors$/, '.json'), JSON.stringify({ config: meta.config, protocol: meta.protocol, train }, null, 2) + '\n');
  say(`wrote ${out} (step ${meta.step} of the continuation run)`);
}

function pngsIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /\.png$/i.test(f)).sort().map((f) => path.join(dir, f));
}

async function loadPhotos(files: string[]): Promise<TrainImage[]> {
  if (!files.length) throw new InputError('no training photos');
  const out: TrainImage[] = [];
  for (const f of files) out.push(toTrainImage(await readImage(f)));
  return out;
}
