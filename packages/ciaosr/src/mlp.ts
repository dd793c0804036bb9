import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, ReLU, Sequential } from '@sr/core';

/**
 * mmedit's `MLPRefiner` as CiaoSR uses it for `imnet_q`, `imnet_k` and `imnet_v`: Linear layers with
 * ReLU between them, registered as `layers.{0,2,4,…}` (the ReLUs occupy the odd indices of the official
 * `nn.Sequential`, so the state-dict keys are `imnet_k.layers.0.weight`, …, `imnet_k.layers.8.bias`).
 */
export class MLPRefiner extends Module {
  readonly layers: Sequential;
  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly hiddenList: number[] = [256, 256, 256, 256],
  ) {
    super();
    const seq = new Sequential();
    let last = inDim;
    let i = 0;
    for (const hdim of hiddenList) {
      seq.add(String(i++), new Linear(last, hdim));
      seq.add(String(i++), new ReLU());
      last = hdim;
    }
    seq.add(String(i), new Linear(last, outDim));
    this.layers = this.child('layers', seq);
  }

  /** The first Linear layer (`layers.0`). */
  get first(): Linear {
    return this.layers.layers[0] as Linear;
  }

  /**
   * Splits the first layer's weight (tfjs layout `[inDim, hidden]`) at row `split`: `x·W = a·W[:split] +
   * b·W[split:]` for `x = [a, b]`. Lets the decoder project per-LR-pixel features once instead of per query.
   */
  firstWeightParts(split: number): [tf.Tensor2D, tf.Tensor2D] {
    const w = this.first.weight as tf.Tensor2D;
    const out = w.shape[1];
    return [tf.slice(w, [0, 0], [split, out]), tf.slice(w, [split, 0], [this.inDim - split, out])];
  }

  /** Continues the MLP from the first layer's pre-activation `h0` (`[N, hidden]`, bias included). */
  forwardFromFirst(h0: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.layers.layers.slice(1).reduce((h, l) => l.forward(h), h0) as tf.Tensor2D);
  }

  /** `[N, inDim]` → `[N, outDim]`. */
  forward(x: tf.Tensor): tf.Tensor2D {
    return this.layers.forward(x) as tf.Tensor2D;
  }
}
