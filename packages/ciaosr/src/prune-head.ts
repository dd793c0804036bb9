import { InputError, type StateDict, type TensorData } from '@sr/core';
import type { TrainModelConfig } from './train.js';

/**
 * Structured pruning of a trained CiaoSR head: every hidden layer of `imnet_q`, `imnet_k` and `imnet_v`
 * keeps its `hidden[l]` most important units, importance of unit i = ‖W_in[i, :]‖ · ‖W_out[:, i]‖ (the
 * signal that reaches it times the signal it passes on; ReLU is positively homogeneous, so the product
 * does not change when a unit's input weights are scaled up and its output weights down). Kept units
 * stay in their original order. The encoder and the non-local attention are copied unchanged.
 *
 * The result is the starting point of a fine-tuning run (`train:continue --init`), worse than the input
 * until fine-tuned: the built-in weights were made this way, [128, 128] → [64, 64] → [32, 32] (MODEL_CARD.md).
 * Keeping every unit returns the same weights. Works on checkpoint records (no tfjs), PyTorch layout
 * (`Linear.weight` is `[out, in]`).
 */
export function pruneHeadHidden(sd: StateDict, config: TrainModelConfig, hidden: number[]): { stateDict: StateDict; config: TrainModelConfig } {
  if (hidden.length !== config.hidden.length || hidden.some((h, i) => !(Number.isInteger(h) && h >= 1 && h <= config.hidden[i]!)))
    throw new InputError(`pruneHeadHidden: need ${config.hidden.length} hidden sizes, each an integer in 1…[${config.hidden}], got [${hidden}]`);
  const out: StateDict = { ...sd };
  const layers = config.hidden.length + 1; // Linear layers, at keys layers.0, layers.2, …
  for (const net of ['imnet_q', 'imnet_k', 'imnet_v']) {
    const key = (l: number, p: 'weight' | 'bias') => `${net}.layers.${2 * l}.${p}`;
    const get = (l: number, p: 'weight' | 'bias'): TensorData => {
      const t = sd[key(l, p)];
      if (!t || t.dtype !== 'float32') throw new InputError(`pruneHeadHidden: missing or non-float32 '${key(l, p)}'`);
      return t;
    };
    const keep = hidden.map((k, l) => topUnits(get(l, 'weight'), get(l + 1, 'weight'), k));
    for (let l = 0; l < layers; l++) {
      const w = get(l, 'weight');
      const rows = l < layers - 1 ? keep[l]! : range(w.shape[0]!);
      const cols = l > 0 ? keep[l - 1]! : range(w.shape[1]!);
      out[key(l, 'weight')] = pick(w, rows, cols);
      const b = get(l, 'bias');
      out[key(l, 'bias')] = { dtype: 'float32', shape: [rows.length], data: Float32Array.from(rows, (r) => b.data[r] as number) };
    }
  }
  return { stateDict: out, config: { ...config, hidden: [...hidden] } };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Indices (ascending) of the `k` units of the layer between `into` ([units, in]) and `from` ([out, units]) with the largest importance. */
function topUnits(into: TensorData, from: TensorData, k: number): number[] {
  const [units, nIn] = into.shape as [number, number];
  const [nOut] = from.shape as [number, number];
  const a = into.data as Float32Array;
  const z = from.data as Float32Array;
  const score = range(units).map((i) => {
    let sIn = 0;
    let sOut = 0;
    for (let c = 0; c < nIn; c++) sIn += a[i * nIn + c]! ** 2;
    for (let r = 0; r < nOut; r++) sOut += z[r * units + i]! ** 2;
    return { i, s: Math.sqrt(sIn * sOut) };
  });
  return score
    .sort((x, y) => y.s - x.s || x.i - y.i)
    .slice(0, k)
    .map((x) => x.i)
    .sort((x, y) => x - y);
}

/** Rows `rows` and columns `cols` of a row-major `[out, in]` matrix. */
function pick(w: TensorData, rows: number[], cols: number[]): TensorData {
  const nIn = w.shape[1]!;
  const src = w.data as Float32Array;
  const data = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => (data[i * cols.length + j] = src[r * nIn + c]!)));
  return { dtype: 'float32', shape: [rows.length, cols.length], data };
}
