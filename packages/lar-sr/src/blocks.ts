/**
 * Building blocks shared by the tex-VQVAE and the LAR module, named as in the official code
 * (haoningwu3639/LAR-SR `blocks.py`, `res_vq.py`) so `stateDict()` keys equal the official keys.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, ConvTranspose2d, Linear, Module, type Callable } from '@sr/core';

/** `nn.ELU(alpha=1)` (parameter-free; placed under the official Sequential index). */
export class ELU extends Module implements Callable {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.elu(x);
  }
}

/**
 * `ResidualBlockBN` (`blocks.py`): `identity(x) + conv2(BN(ReLU(conv1(x))))`, with a 1×1 `identity`
 * conv only when the channel count changes. Note the order: BN comes *after* the ReLU and both 3×3
 * convs keep the input width until `conv2`. Dropout on the input is applied in training mode only.
 */
export class ResidualBlockBN extends Module implements Callable {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly bn: BatchNorm2d;
  readonly identity: Conv2d | null;
  /**
   * @param dropout input dropout probability, applied only in training mode (official: 0.1 inside
   *   the LAR layers, 0 in the U-Net)
   */
  constructor(numFeat: number, outFeat = numFeat, readonly dropout = 0) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(numFeat, numFeat, 3, { padding: 1 }));
    this.conv2 = this.child('conv2', new Conv2d(numFeat, outFeat, 3, { padding: 1 }));
    this.bn = this.child('bn', new BatchNorm2d(numFeat));
    this.identity = outFeat !== numFeat ? this.child('identity', new Conv2d(numFeat, outFeat, 1)) : null;
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.training && this.dropout > 0) x = tf.dropout(x, this.dropout);
      const id = this.identity ? this.identity.forward(x) : x;
      return tf.add(id, this.conv2.forward(this.bn.forward(tf.relu(this.conv1.forward(x))))) as tf.Tensor4D;
    });
  }
}

/**
 * The 4-level U-Net of `blocks.py` (`Unet(in, out, mid)`): ResidualBlockBN encoders with 2×2 max
 * pooling, 2×2 stride-2 transposed-conv upsampling with skip concatenation (`cat([up, skip])`), and a
 * final 1×1 conv. Input height and width must be divisible by 16.
 */
export class UNet extends Module implements Callable {
  readonly down: ResidualBlockBN[] = [];
  readonly ups: ConvTranspose2d[] = [];
  readonly upBlocks: ResidualBlockBN[] = [];
  readonly conv10: Conv2d;
  constructor(inCh: number, outCh: number, mid = 32) {
    super();
    this.down.push(this.child('conv1', new ResidualBlockBN(inCh, mid)));
    for (let i = 2; i <= 5; i++) this.down.push(this.child(`conv${i}`, new ResidualBlockBN(mid, mid)));
    for (let i = 6; i <= 9; i++) {
      this.ups.push(this.child(`up${i}`, new ConvTranspose2d(mid, mid, 2, { stride: 2 })));
      this.upBlocks.push(this.child(`conv${i}`, new ResidualBlockBN(mid * 2, mid)));
    }
    this.conv10 = this.child('conv10', new Conv2d(mid, outCh, 1));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let h = x as tf.Tensor4D;
      this.down.forEach((block, i) => {
        h = block.forward(i === 0 ? h : tf.maxPool(h, 2, 2, 'valid'));
        skips.push(h);
      });
      for (let i = 0; i < 4; i++) h = this.upBlocks[i].forward(tf.concat([this.ups[i].forward(h), skips[3 - i]], 3));
      return this.conv10.forward(h);
    });
  }
}

/** A parameter-free container that only holds children under official names (an `nn.Sequential` slot). */
export class Container extends Module {
  /** Registers `module` under `name` and returns it. */
  add<M extends Module>(name: string, module: M): M {
    return this.child(name, module);
  }
}

/**
 * VQ-VAE-2's `ResBlock` (`res_vq.py`): `conv = Sequential(ReLU, conv3×3, ReLU, conv1×1)` plus a skip
 * (keys `conv.1.*`, `conv.3.*`).
 *
 * **Official quirk, reproduced:** the first `nn.ReLU(inplace=True)` overwrites the block's input
 * before `out += input`, so the skip adds `ReLU(x)`, not `x`: `ReLU(x) + conv(ReLU(x))`.
 */
export class ResBlock extends Module implements Callable {
  readonly conv1: Conv2d;
  readonly conv3: Conv2d;
  constructor(inChannel: number, channel: number) {
    super();
    const conv = this.child('conv', new Container());
    this.conv1 = conv.add('1', new Conv2d(inChannel, channel, 3, { padding: 1 }));
    this.conv3 = conv.add('3', new Conv2d(channel, inChannel, 1));
  }
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const r = tf.relu(x);
      return tf.add(r, this.conv3.forward(tf.relu(this.conv1.forward(r)))) as tf.Tensor4D;
    });
  }
}

/**
 * `nn.Sequential(Linear, ELU, Linear, ELU, …, Linear)` as used for `x_encode`, `aggressive_encode`
 * and `out_conv`: Linear layers at even indices 0, 2, 4, … with ELU between them.
 */
export class LinearEluStack extends Module implements Callable {
  readonly linears: Linear[] = [];
  constructor(dims: number[]) {
    super();
    for (let i = 0; i + 1 < dims.length; i++) this.linears.push(this.child(String(2 * i), new Linear(dims[i], dims[i + 1])));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.linears.reduce((h, l, i) => (i === 0 ? l.forward(h) : l.forward(tf.elu(h))), x));
  }
}
