import * as tf from '@tensorflow/tfjs-core';
import { Module, Sequential } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';

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

  /** `[..., inDim]` → `[..., outDim]`. Each `Linear → ReLU` pair runs as one fused matMul. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.runFrom(0, x));
  }

  /** The first `Linear` (weight `[inDim, hidden]`), which decoders may apply part by part. */
  get firstLinear(): Linear {
    return this.layers.layers[0] as Linear;
  }

  /** Whether a ReLU follows the first `Linear` (false only for an MLP without hidden layers). */
  get firstActivated(): boolean {
    return this.hiddenList.length > 0;
  }

  /**
   * The layers after the first `Linear`, applied to its output `h0` (pre-activation, `[..., hidden]`).
   * With {@link MLP.firstLinear} a decoder can compute the first layer algebraically — e.g. once per
   * LR pixel instead of once per query and neighbour (see `LIIF.projectFeatures`) — and finish here.
   */
  forwardAfterFirst(h0: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.runFrom(1, h0));
  }

  /**
   * The layers after the first `Linear` and its ReLU, for a decoder that fused that ReLU into its first
   * layer (`gatherLinear(…, 'relu')`): `h1 = relu(h0)` → `[..., outDim]`.
   */
  forwardAfterFirstActivation(h1: tf.Tensor): tf.Tensor {
    if (!this.firstActivated) throw new Error('forwardAfterFirstActivation: this MLP has no hidden layer (no ReLU after its first Linear)');
    return tf.tidy(() => this.runFrom(2, h1));
  }

  /** The last `Linear` (weight `[lastHidden, outDim]`). */
  get lastLinear(): Linear {
    return this.layers.layers[this.layers.layers.length - 1] as Linear;
  }

  /**
   * The hidden layers after the first `Linear` and its ReLU, stopping before the last `Linear`:
   * `h1` → the last hidden activation `[..., lastHidden]` (`h1` itself for one hidden layer). Lets a
   * decoder contract the last layer algebraically with what follows it (CiaoSR's attention logits).
   */
  hiddenAfterFirstActivation(h1: tf.Tensor): tf.Tensor {
    if (!this.firstActivated) throw new Error('hiddenAfterFirstActivation: this MLP has no hidden layer (no ReLU after its first Linear)');
    return tf.tidy(() => this.runFrom(2, h1, this.layers.layers.length - 1));
  }

  /** Layers `start…end-1` with every `Linear → ReLU` pair fused. */
  private runFrom(start: number, x: tf.Tensor, end = this.layers.layers.length): tf.Tensor {
    const layers = this.layers.layers;
    let h = x;
    for (let i = start; i < end; i++) {
      const l = layers[i]!;
      if (l instanceof Linear && layers[i + 1] instanceof ReLU) {
        h = l.forward(h, 'relu');
        i++;
      } else h = l.forward(h);
    }
    return h;
  }
}
