#!/usr/bin/env node
// `node packages/ciaosr/scripts/prune-head.mjs <in.safetensors> <out.safetensors> --hidden 64,64`
//
// Derives a CiaoSR with narrower imnet_q/k/v hidden layers from trained weights, as the starting
// point of a fine-tuning run (`train:continue --dir <new> --init <out>`): a smaller head is the
// speed lever at large scales (per HR pixel the head's MACs grow with hidden², see MODEL_CARD.md's
// frontier), and training one from scratch on a 2-core machine takes hours.
//
// Structured pruning: every hidden layer keeps its `k` most important units, importance of unit i =
// ‖W_in[i, :]‖ · ‖W_out[:, i]‖ (how much signal reaches it times how much it passes on; ReLU is
// positively homogeneous, so this product is invariant to rescaling a unit). The encoder and the
// non-local attention are copied unchanged. The pruned model is worse than the original until
// fine-tuned; the stored configuration is the new one, so the file loads as a model of its own.
import * as fs from 'node:fs';
import { readSafetensors, writeSafetensors } from '@sr/core';

const [inFile, outFile, flag, list] = process.argv.slice(2);
if (!inFile || !outFile || flag !== '--hidden' || !list) {
  process.stderr.write('usage: prune-head.mjs <in.safetensors> <out.safetensors> --hidden 64,64\n');
  process.exit(2);
}
const hidden = list.split(',').map(Number);
const { stateDict, metadata } = readSafetensors(new Uint8Array(fs.readFileSync(inFile)));
const config = JSON.parse(metadata?.ciaosr_config ?? 'null');
if (!config) throw new Error(`${inFile}: no ciaosr_config in its metadata`);
if (config.hidden.length !== hidden.length || hidden.some((h, i) => !(h > 0 && h <= config.hidden[i])))
  throw new Error(`--hidden ${list}: need ${config.hidden.length} sizes, each at most [${config.hidden}]`);

/** Row-major [out, in] weight as an accessor. */
const at = (t, r, c) => t.data[r * t.shape[1] + c];

/** Keeps rows `rows` (output units) and columns `cols` (input units) of a Linear layer. */
function sliceLinear(w, b, rows, cols) {
  const out = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => (out[i * cols.length + j] = at(w, r, c))));
  return {
    weight: { dtype: 'float32', shape: [rows.length, cols.length], data: out },
    bias: { dtype: 'float32', shape: [rows.length], data: Float32Array.from(rows, (r) => b.data[r]) },
  };
}

const range = (n) => Array.from({ length: n }, (_, i) => i);
const result = { ...stateDict };
for (const net of ['imnet_q', 'imnet_k', 'imnet_v']) {
  const layer = (i) => ({ w: stateDict[`${net}.layers.${2 * i}.weight`], b: stateDict[`${net}.layers.${2 * i}.bias`] });
  const n = config.hidden.length + 1; // Linear layers
  // Units kept per hidden layer, chosen on the original weights.
  const keep = hidden.map((k, l) => {
    const into = layer(l).w;
    const from = layer(l + 1).w;
    const score = range(into.shape[0]).map((i) => {
      let a = 0;
      let z = 0;
      for (let c = 0; c < into.shape[1]; c++) a += at(into, i, c) ** 2;
      for (let r = 0; r < from.shape[0]; r++) z += at(from, r, i) ** 2;
      return { i, s: Math.sqrt(a * z) };
    });
    return score.sort((x, y) => y.s - x.s).slice(0, k).map((x) => x.i).sort((x, y) => x - y);
  });
  for (let l = 0; l < n; l++) {
    const { w, b } = layer(l);
    const rows = l < n - 1 ? keep[l] : range(w.shape[0]);
    const cols = l > 0 ? keep[l - 1] : range(w.shape[1]);
    const s = sliceLinear(w, b, rows, cols);
    result[`${net}.layers.${2 * l}.weight`] = s.weight;
    result[`${net}.layers.${2 * l}.bias`] = s.bias;
  }
}
const newConfig = { ...config, hidden };
fs.writeFileSync(
  outFile,
  writeSafetensors(result, { format: 'pt', ciaosr_config: JSON.stringify(newConfig), ciaosr_pruned_from: JSON.stringify({ file: inFile, hidden: config.hidden, step: metadata.step }) }),
);
process.stdout.write(`${outFile}: ${JSON.stringify(newConfig)} (pruned from [${config.hidden}])\n`);
