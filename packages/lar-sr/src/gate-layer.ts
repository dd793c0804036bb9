/**
 * LAR's gated layer — `split_gate_layer` of `fold_model.py` (paper §3.3, eqs. 6–7).
 *
 * For output position i (0-based) of the s² positions in every patch, the layer takes its inputs
 * f_0 … f_i, passes each through a ResidualBlockBN whose weights are **shared over the inputs but
 * separate per output index** (`w_blocks.i`), concatenates them and mixes them with
 * `h_blocks.i = Sequential(conv1×1 (i+1)C→C, Dropout, ELU, conv1×1 C→C)`. The official code does
 * C1×1(concat(C3×3(each))); the paper's eq. 7 writes C3×3(C1×1(concat)) — we follow the code.
 *
 * Channel order of the concatenation follows the official `permute(0,2,1,3,4).reshape`: channel
 * `c·(i+1) + t` holds channel c of input t.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, ModuleList } from '@sr/core';
import { ResidualBlockBN } from './blocks.js';
import { sliceSeq } from './patches.js';

/** Incremental state of a gate layer during sampling: the layer inputs seen so far. */
export interface GateState {
  /** Inputs f_0 … f_{i-1} of this layer, `[B, h, w, C]` each (kept; disposed by the sampler). */
  inputs: tf.Tensor4D[];
  /** Layer-specific caches (LAR-attn keeps its keys and values here). */
  cache: tf.Tensor[];
}

/** What the LAR module needs from a layer over the s² positions. */
export interface GateLayer extends Module {
  /** Teacher-forced pass: `[B, s², h, w, C]` → `[B, s², h, w, C]`; output i sees inputs ≤ i only. */
  forward(x: tf.Tensor): tf.Tensor;
  /**
   * Incremental pass for sampling: given the new input f_i (`[B, h, w, C]`) at position `i`
   * (= number of inputs seen before), returns output i. Mathematically identical to
   * `forward(...)[:, i]` because the layer is causal over positions. Pushes into `state`.
   */
  step(state: GateState, xi: tf.Tensor4D, i: number): tf.Tensor4D;
}

/** `h_blocks.i`: conv1×1 → (Dropout) → ELU → conv1×1 at Sequential indices 0 and 3. */
export class GateMix extends Module {
  readonly conv0: Conv2d;
  readonly conv3: Conv2d;
  constructor(inCh: number, ch: number, readonly dropout = 0.1) {
    super();
    this.conv0 = this.child('0', new Conv2d(inCh, ch, 1));
    this.conv3 = this.child('3', new Conv2d(ch, ch, 1));
  }
  /** Mixes the concatenated per-input features `[N, h, w, (i+1)·C]` → `[N, h, w, C]`; dropout only while training. */
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.conv0.forward(x) as tf.Tensor;
      if (this.training && this.dropout > 0) h = tf.dropout(h, this.dropout);
      return this.conv3.forward(tf.elu(h));
    });
  }
}

/** `split_gate_layer(channel, scale)` (see module docs). */
export class SplitGateLayer extends Module implements GateLayer {
  readonly wBlocks: ModuleList<ResidualBlockBN>;
  readonly hBlocks: ModuleList<GateMix>;
  readonly n: number;
  constructor(readonly channel: number, readonly scale: number) {
    super();
    this.n = scale * scale;
    this.wBlocks = this.child('w_blocks', new ModuleList<ResidualBlockBN>());
    this.hBlocks = this.child('h_blocks', new ModuleList<GateMix>());
    for (let i = 0; i < this.n; i++) {
      this.wBlocks.push(new ResidualBlockBN(channel, channel, 0.1));
      this.hBlocks.push(new GateMix((i + 1) * channel, channel));
    }
  }

  /** Output i from the stacked inputs `[B, i+1, h, w, C]`. */
  private output(stacked: tf.Tensor, i: number): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, l, h, w, c] = stacked.shape;
      const y = this.wBlocks.items[i].forward(tf.reshape(stacked, [b * l, h, w, c]));
      // [B, t, h·w·C] → [B, h·w·C, t]: channel index c·(i+1) + t, as the official reshape.
      const mixed = tf.reshape(tf.transpose(tf.reshape(y, [b, l, h * w * c]), [0, 2, 1]), [b, h, w, c * l]);
      return this.hBlocks.items[i].forward(mixed);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const l = x.shape[1];
      if (l !== this.n) throw new Error(`SplitGateLayer expects ${this.n} positions, got [${x.shape}]`);
      const outs = [];
      for (let i = 0; i < l; i++) outs.push(this.output(sliceSeq(x, 0, i + 1), i));
      return tf.stack(outs, 1);
    });
  }

  step(state: GateState, xi: tf.Tensor4D, i: number): tf.Tensor4D {
    state.inputs.push(tf.keep(xi));
    if (state.inputs.length !== i + 1) throw new Error(`SplitGateLayer.step: position ${i} after ${state.inputs.length - 1} inputs`);
    return tf.tidy(() => this.output(tf.stack(state.inputs, 1), i));
  }
}
