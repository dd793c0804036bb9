import * as tf from '@tensorflow/tfjs-core';
import { MLP, type Linear } from '@sr/core';

/**
 * mmedit's `MLPRefiner` as CiaoSR uses it for `imnet_q`, `imnet_k` and `imnet_v`: Linear layers with
 * ReLU between them, registered as `layers.{0,2,4,…}` (the ReLUs occupy the odd indices of the official
 * `nn.Sequential`, so the state-dict keys are `imnet_k.layers.0.weight`, …, `imnet_k.layers.8.bias`).
 */
export class MLPRefiner extends MLP {
  constructor(inDim: number, outDim: number, hiddenList: number[] = [256, 256, 256, 256]) {
    // The same layers and keys as LIIF's `MLP` (core): only the default widths differ.
    super(inDim, outDim, hiddenList);
  }

  /** The first Linear layer (`layers.0`). */
  get first(): Linear {
    return this.firstLinear;
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

  /**
   * Continues the MLP from the first layer's pre-activation `h0` (`[N, hidden]`, bias included).
   * @deprecated Kept for callers of earlier releases; it is core's `MLP.forwardAfterFirst`.
   */
  forwardFromFirst(h0: tf.Tensor): tf.Tensor2D {
    return this.forwardAfterFirst(h0) as tf.Tensor2D;
  }

  /** `[N, inDim]` → `[N, outDim]`. */
  override forward(x: tf.Tensor): tf.Tensor2D {
    return super.forward(x) as tf.Tensor2D;
  }
}
