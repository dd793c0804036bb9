import * as tf from '@tensorflow/tfjs-core';
import {
  InputError,
  createRng,
  disposeBatch,
  ensureGradients,
  readCheckpoint,
  readImage,
  sampleImplicitBatch,
  stepDecay,
  throwIfAborted,
  toTrainImage,
  writeSafetensors,
  yieldToEventLoop,
  type StateDict,
  type TrainImage,
} from '@sr/core';
import { createCiaoSRBackbone, type CiaoSRBackboneName } from './backbones.js';
import { concatQueryArrays, fillQueries, type QueryArrays } from './geometry.js';
import { CiaoSR } from './model.js';
import { NamedAdam } from './adam.js';

/** Model configuration stored in the checkpoint sidecar so `--resume` rebuilds the same network. */
export interface TrainModelConfig {
  backbone: CiaoSRBackboneName;
  feats: number;
  blocks: number;
  hidden: number[];
}

/** Options of {@link trainCiaoSR}; defaults are the official protocol (configs `001_*`). */
export interface TrainOptions extends Partial<TrainModelConfig> {
  /** Folder of HR training images (PNG/JPEG), or decoded images. */
  data: string | TrainImage[];
  /** Total optimisation steps (official: 1,000,000). */
  steps: number;
  /** Checkpoint path (`.safetensors`); `<out>.json` (step, schedule, RNG, config) and `<out>.optim.safetensors` (Adam moments) sit beside it. */
  out?: string;
  /** Resume from a checkpoint written by this function (its sidecar is read). */
  resume?: string;
  /** Resume from an in-memory state instead (e.g. a single-file training state, see `train-state.ts`). */
  resumeFrom?: ResumePoint;
  /** Weights to start from when not resuming (fine-tuning, e.g. from the built-in default weights); Adam starts at zero. */
  initWeights?: StateDict;
  /** Replaces the default checkpoint writer (files at `out`): called with the state to persist. */
  saveState?: (snap: TrainSnapshot) => Promise<void>;
  /** Batch size (16), LR crop (48), sampled HR pixels per crop (2304), scale range U(1, 4). */
  batchSize?: number;
  inpSize?: number;
  sampleQ?: number;
  scaleMax?: number;
  /** Probability of an integer training scale (see core's `ImplicitBatchOptions.integerScaleProb`; default 0). */
  integerScaleProb?: number;
  /** Adam learning rate (1e-4), halved (`gamma` 0.5) at these fractions of `steps` (official 200k/400k/600k/800k of 1M). */
  lr?: number;
  milestones?: number[];
  gamma?: number;
  seed?: number;
  /** Checkpoint every N steps (default: only at the end). */
  saveEvery?: number;
  /** Also checkpoint when this many seconds of wall-clock time have passed since the last save. */
  saveEverySeconds?: number;
  /** Learning rate at a (0-based) step; replaces the `lr`/`milestones` step decay (e.g. a decay fitted to a time budget). */
  schedule?: (step: number) => number;
  /** Checked before every step: returning true ends training cleanly (checkpoint written), e.g. at a wall-clock budget. */
  shouldStop?: (step: number) => boolean;
  /** Called after every optimizer step with the number of steps done (1-based), that step's L1 loss and its learning rate. */
  onStep?: (step: number, loss: number, lr: number) => void;
  /** Awaited after every step (after `onStep` and any checkpoint), in eval mode, e.g. for a periodic held-out evaluation. */
  afterStep?: (step: number, model: CiaoSR) => Promise<void>;
  signal?: AbortSignal;
}

/** Where a resumed run picks up: weights, Adam moments (`exp_avg.<param>`, `exp_avg_sq.<param>`), steps done, RNG state. */
export interface ResumePoint {
  config: TrainModelConfig;
  weights: StateDict;
  moments: StateDict;
  step: number;
  rngState: number;
}

/** What a checkpoint persists (handed to {@link TrainOptions.saveState}). */
export interface TrainSnapshot extends ResumePoint {
  lr: number;
  protocol: TrainState['protocol'];
}

/** Sidecar JSON written next to each checkpoint. */
export interface TrainState {
  step: number;
  steps: number;
  lr: number;
  rngState: number;
  config: TrainModelConfig;
  optimizer: { type: 'adam'; betas: [number, number]; eps: number; file: string };
  protocol: { batchSize: number; inpSize: number; sampleQ: number; scaleMax: number; integerScaleProb?: number; milestones: number[]; gamma: number; seed: number };
}

async function loadImages(data: string | TrainImage[]): Promise<TrainImage[]> {
  if (Array.isArray(data)) return data;
  const fs = await import('node:fs');
  const path = await import('node:path');
  if (!fs.existsSync(data) || !fs.statSync(data).isDirectory()) throw new InputError(`training data folder not found: ${data}`);
  const files = fs.readdirSync(data).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
  if (!files.length) throw new InputError(`no PNG/JPEG images in ${data}`);
  const out: TrainImage[] = [];
  for (const f of files) out.push(toTrainImage(await readImage(path.join(data, f))));
  return out;
}

/** Decoder query arrays of a sampled batch: HR pixel indices recovered from the (exact) coordinates. */
function batchQueries(coord: Float32Array, cell: Float32Array, b: number, q: number, inp: number): QueryArrays {
  const parts: QueryArrays[] = [];
  for (let n = 0; n < b; n++) {
    const H = Math.round(2 / cell[2 * n * q]);
    const W = Math.round(2 / cell[2 * n * q + 1]);
    const ys = new Int32Array(q);
    const xs = new Int32Array(q);
    for (let i = 0; i < q; i++) {
      const o = n * q + i;
      ys[i] = Math.round(((coord[2 * o] + 1) * H) / 2 - 0.5);
      xs[i] = Math.round(((coord[2 * o + 1] + 1) * W) / 2 - 0.5);
    }
    parts.push(fillQueries({ geom: { h: inp, w: inp, H, W }, oy: 0, ox: 0, wh: inp, ww: inp, base: n * inp * inp }, ys, xs));
  }
  return concatQueryArrays(parts);
}

/** Writes weights (PyTorch names, loadable by the official model) + optimizer moments + sidecar. */
export async function saveTrainCheckpoint(out: string, model: CiaoSR, adam: NamedAdam, state: TrainState): Promise<void> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  // The configuration rides in the weights file too, so the file alone rebuilds the network.
  fs.writeFileSync(out, writeSafetensors(await model.stateDict(), { format: 'pt', step: String(state.step), ciaosr_config: JSON.stringify(state.config) }));
  fs.writeFileSync(path.resolve(path.dirname(out), state.optimizer.file), writeSafetensors(await adam.stateDict()));
  fs.writeFileSync(`${out}.json`, JSON.stringify(state, null, 2));
}

/**
 * Trains CiaoSR with the official protocol (notes §1.5/§4.1): random 48×48 LR crops of scale
 * s ~ U(1, 4) (bicubic), 2304 sampled HR pixels per crop, DIV2K-mean normalisation of input and target,
 * L1 loss, Adam (lr 1e-4) halved at 20/40/60/80 % of the steps. Checkpoints to `out` and resumes from
 * `resume` (weights, Adam moments, step, RNG stream). Returns the model (caller disposes) and losses.
 */
export async function trainCiaoSR(opts: TrainOptions): Promise<{ model: CiaoSR; step: number; losses: number[] }> {
  if (!(Number.isInteger(opts.steps) && opts.steps >= 1)) throw new InputError(`steps must be a positive integer, got ${opts.steps}`);
  await ensureGradients();
  const fs = await import('node:fs');
  const path = await import('node:path');
  let resumed: TrainState | null = null;
  if (opts.resume) {
    const side = `${opts.resume}.json`;
    if (!fs.existsSync(side)) throw new InputError(`cannot resume: ${side} (written by ciaosr train) is missing`);
    resumed = JSON.parse(fs.readFileSync(side, 'utf8')) as TrainState;
  }
  const config: TrainModelConfig = resumed?.config ?? opts.resumeFrom?.config ?? {
    backbone: opts.backbone ?? 'edsr-baseline',
    feats: opts.feats ?? 64,
    blocks: opts.blocks ?? 16,
    hidden: opts.hidden ?? [256, 256, 256, 256],
  };
  const protocol = {
    batchSize: opts.batchSize ?? resumed?.protocol.batchSize ?? 16,
    inpSize: opts.inpSize ?? resumed?.protocol.inpSize ?? 48,
    sampleQ: opts.sampleQ ?? resumed?.protocol.sampleQ ?? 2304,
    scaleMax: opts.scaleMax ?? resumed?.protocol.scaleMax ?? 4,
    integerScaleProb: opts.integerScaleProb ?? resumed?.protocol.integerScaleProb ?? 0,
    milestones: opts.milestones ?? resumed?.protocol.milestones ?? [0.2, 0.4, 0.6, 0.8],
    gamma: opts.gamma ?? resumed?.protocol.gamma ?? 0.5,
    seed: opts.seed ?? resumed?.protocol.seed ?? 0,
  };
  const images = await loadImages(opts.data);
  const model = new CiaoSR(createCiaoSRBackbone(config.backbone, { feats: config.feats, blocks: config.blocks }), { hiddenList: config.hidden });
  const params = model.namedParameters().filter(([, p]) => p.trainable).map(([n, p]) => [n, p.variable] as [string, tf.Variable]);
  const adam = new NamedAdam(params, opts.lr ?? 1e-4);
  try {
    const rng = createRng(resumed ? resumed.rngState : opts.resumeFrom ? opts.resumeFrom.rngState : protocol.seed);
    let step = 0;
    if (opts.resumeFrom) {
      model.loadWeights(opts.resumeFrom.weights);
      adam.loadStateDict(opts.resumeFrom.moments, opts.resumeFrom.step);
      step = opts.resumeFrom.step;
    } else if (!opts.resume && opts.initWeights) model.loadWeights(opts.initWeights);
    if (opts.resume && resumed) {
      model.loadWeights(await readCheckpoint(opts.resume));
      const optFile = path.resolve(path.dirname(opts.resume), resumed.optimizer.file);
      adam.loadStateDict(await readCheckpoint(optFile), resumed.step);
      step = resumed.step;
    }
    const schedule = opts.schedule ?? stepDecay({ initial: opts.lr ?? 1e-4, milestones: protocol.milestones.map((f) => Math.round(f * opts.steps)), gamma: protocol.gamma });
    const losses: number[] = [];
    const mean = tf.tensor1d([...model.mean]);
    const save = async () => {
      if (opts.saveState) {
        const snap = { config, weights: await model.stateDict(), moments: await adam.stateDict(), step, rngState: rng.state(), lr: adam.lr, protocol };
        return opts.saveState(snap);
      }
      if (!opts.out) return;
      const file = `${path.basename(opts.out)}.optim.safetensors`;
      await saveTrainCheckpoint(opts.out, model, adam, {
        step,
        steps: opts.steps,
        lr: adam.lr,
        rngState: rng.state(),
        config,
        optimizer: { type: 'adam', betas: [adam.beta1, adam.beta2], eps: adam.eps, file },
        protocol,
      });
    };
    let lastSave = Date.now();
    model.train();
    try {
      while (step < opts.steps) {
        await yieldToEventLoop(); // a timer-fired abort lands between steps
        throwIfAborted(opts.signal);
        if (opts.shouldStop?.(step)) break;
        adam.lr = schedule(step);
        const batch = sampleImplicitBatch(images, rng, { batchSize: protocol.batchSize, inpSize: protocol.inpSize, sampleQ: protocol.sampleQ, scaleMax: protocol.scaleMax, integerScaleProb: protocol.integerScaleProb });
        try {
          const qa = batchQueries((await batch.coord.data()) as Float32Array, (await batch.cell.data()) as Float32Array, protocol.batchSize, protocol.sampleQ, protocol.inpSize);
          const { value, grads } = tf.variableGrads(() =>
            tf.tidy(() => {
              const lq = tf.sub(batch.inp, mean) as tf.Tensor4D;
              const gt = tf.sub(tf.reshape(batch.gt, [-1, 3]), mean);
              return tf.mean(tf.abs(tf.sub(model.forwardQueries(lq, qa), gt))) as tf.Scalar;
            }),
            params.map(([, v]) => v),
          );
          const byName = new Map<string, tf.Tensor>();
          for (const [n, v] of params) if (grads[v.name]) byName.set(n, grads[v.name]);
          adam.apply(byName);
          const loss = (await value.data())[0];
          tf.dispose([value, ...Object.values(grads)]);
          if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss})`);
          losses.push(loss);
          step++;
          opts.onStep?.(step, loss, adam.lr);
        } finally {
          disposeBatch(batch);
        }
        const due = (opts.saveEvery && step % opts.saveEvery === 0) || (opts.saveEverySeconds && Date.now() - lastSave >= opts.saveEverySeconds * 1000);
        if (due && step < opts.steps) {
          await save();
          lastSave = Date.now();
        }
        if (opts.afterStep) {
          model.eval();
          try {
            await opts.afterStep(step, model);
          } finally {
            model.train();
          }
        }
      }
      await save();
    } finally {
      mean.dispose();
      model.eval();
    }
    return { model, step, losses };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    adam.dispose();
  }
}
