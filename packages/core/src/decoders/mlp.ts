import * as tf from '@tensorflow/tfjs-core';
import { Module, Sequential } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { gatherRows } from '../ops/gather-rows.js';

/**
 * LIIF's `models/mlp.py` MLP: `Linear → ReLU` for each hidden width, then a final `Linear`, held in a
 * `layers` Sequential so the state-dict keys are `layers.0`, `layers.2`, … (ReLUs occupy the odd
 * indices). Used as the `imnet` of LIIF and LTE (and, with other widths, CiaoSR).
 */
export class MLP extends Module {
  readonly layers: Sequential;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly hiddenList: number[],
  ) {
    super();
    const seq = new Sequential();
    let last = inDim;
    let i = 0;
    for (const h of hiddenList) {
      seq.add(String(i++), new Linear(last, h));
      seq.add(String(i++), new ReLU());
      last = h;
    }
    seq.add(String(i), new Linear(last, outDim));
    this.layers = this.child('layers', seq);
  }

  /** `[..., inDim]` → `[..., outDim]`. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.forward(x);
  }

  /**
   * The same as `forward(concat(parts, -1))` without building the concatenation: the first layer is
   * `Σ_i parts[i]·W_i + b` with `W_i` the weight rows of part `i`. On the CPU backend the gradient of a
   * last-axis concat is a strided split that costs seconds per step; this costs nothing. With
   * `firstOrder`, column `j` of `parts[0]` is official input feature `firstOrder[j]` of that part (LIIF
   * gathers unfolded features k-major, see `LIIF.queryRgb`), so the rows are read in that order instead
   * of permuting the data.
   */
  forwardParts(parts: tf.Tensor[], firstOrder?: tf.Tensor1D): tf.Tensor {
    return tf.tidy(() => {
      const [first, ...rest] = this.layers.layers;
      const lin = first as Linear;
      const lead = parts[0].shape.slice(0, -1);
      const w = lin.weight as tf.Tensor2D;
      let y: tf.Tensor | null = null;
      let row = 0;
      parts.forEach((x, i) => {
        const n = x.shape[x.rank - 1];
        if (row + n > this.inDim) throw new Error(`MLP parts have more than ${this.inDim} features`);
        const wi = i === 0 && firstOrder ? gatherRows(w, firstOrder) : tf.slice(w, [row, 0], [n, lin.outFeatures]);
        const term = tf.matMul(tf.reshape(x, [-1, n]), wi);
        y = y ? tf.add(y, term) : term;
        row += n;
      });
      if (row !== this.inDim) throw new Error(`MLP expects ${this.inDim} features, parts give ${row}`);
      let out = y as unknown as tf.Tensor;
      if (lin.bias) out = tf.add(out, lin.bias);
      out = tf.reshape(out, [...lead, lin.outFeatures]);
      return rest.reduce((h, l) => l.forward(h), out);
    });
  }
}
