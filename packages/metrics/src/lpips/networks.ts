/**
 * The torchvision feature extractors LPIPS taps (richzhang/PerceptualSimilarity
 * `lpips/pretrained_networks.py`), as @sr/core modules whose parameter names are torchvision's
 * `features.N.*` keys, so `alexnet().features` / `squeezenet1_1().features` / `vgg16().features`
 * state dicts load unchanged.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, maxPool2d, Module, Sequential, type Callable } from '@sr/core';

/** A backbone that returns the LPIPS taps (post-ReLU activations) for an NHWC input. */
export interface LpipsBackbone extends Module {
  /** Channels of each tap, in order. */
  readonly channels: readonly number[];
  /** Tap activations (NHWC); the caller disposes them. */
  taps(x: tf.Tensor4D): tf.Tensor4D[];
}

const relu = (x: tf.Tensor4D): tf.Tensor4D => tf.relu(x);

/**
 * torchvision `alexnet().features`: conv11/4 (pad 2) · relu · maxpool3/2 · conv5 (pad 2) · relu ·
 * maxpool3/2 · conv3 · relu · conv3 · relu · conv3 · relu. Taps relu1..relu5 = outputs of indices
 * 1, 4, 7, 9, 11 (LPIPS slices [0:2], [2:5], [5:8], [8:10], [10:12]).
 */
export class AlexNetFeatures extends Module implements LpipsBackbone {
  readonly channels = [64, 192, 384, 256, 256] as const;
  readonly features = this.child(
    'features',
    new Sequential()
      .add('0', new Conv2d(3, 64, 11, { stride: 4, padding: 2 }))
      .add('3', new Conv2d(64, 192, 5, { padding: 2 }))
      .add('6', new Conv2d(192, 384, 3, { padding: 1 }))
      .add('8', new Conv2d(384, 256, 3, { padding: 1 }))
      .add('10', new Conv2d(256, 256, 3, { padding: 1 })),
  );

  taps(x: tf.Tensor4D): tf.Tensor4D[] {
    const [c0, c3, c6, c8, c10] = this.features.layers as Conv2d[];
    return tf.tidy(() => {
      const r1 = relu(c0!.forward(x));
      const r2 = relu(c3!.forward(maxPool2d(r1, 3, { stride: 2 })));
      const r3 = relu(c6!.forward(maxPool2d(r2, 3, { stride: 2 })));
      const r4 = relu(c8!.forward(r3));
      const r5 = relu(c10!.forward(r4));
      return [r1, r2, r3, r4, r5];
    });
  }
}

/** torchvision SqueezeNet `Fire`: squeeze 1×1 · relu, then concat(relu(expand1x1), relu(expand3x3 pad 1)). */
export class Fire extends Module implements Callable {
  readonly squeeze: Conv2d;
  readonly expand1x1: Conv2d;
  readonly expand3x3: Conv2d;
  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.squeeze = this.child('squeeze', new Conv2d(inplanes, squeezePlanes, 1));
    this.expand1x1 = this.child('expand1x1', new Conv2d(squeezePlanes, expand1x1Planes, 1));
    this.expand3x3 = this.child('expand3x3', new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 }));
  }
  /** squeeze 1×1 → ReLU, then the concatenated ReLU'd expand 1×1 and 3×3 branches (torchvision `Fire.forward`). */
  forward(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const s = relu(this.squeeze.forward(x));
      return tf.concat([relu(this.expand1x1.forward(s)), relu(this.expand3x3.forward(s))], 3);
    });
  }
}

/**
 * torchvision `squeezenet1_1().features`: conv3/2 · relu · maxpool3/2 (ceil_mode) · Fire×2 · maxpool ·
 * Fire×2 · maxpool · Fire×4. Seven taps: LPIPS slices [0:2], [2:5], [5:8], [8:10], [10:11], [11:12],
 * [12:13]. The max-pools use PyTorch's `ceil_mode=True` output size.
 */
export class SqueezeNetFeatures extends Module implements LpipsBackbone {
  readonly channels = [64, 128, 256, 384, 384, 512, 512] as const;
  readonly features = this.child(
    'features',
    new Sequential()
      .add('0', new Conv2d(3, 64, 3, { stride: 2 }))
      .add('3', new Fire(64, 16, 64, 64))
      .add('4', new Fire(128, 16, 64, 64))
      .add('6', new Fire(128, 32, 128, 128))
      .add('7', new Fire(256, 32, 128, 128))
      .add('9', new Fire(256, 48, 192, 192))
      .add('10', new Fire(384, 48, 192, 192))
      .add('11', new Fire(384, 64, 256, 256))
      .add('12', new Fire(512, 64, 256, 256)),
  );

  taps(x: tf.Tensor4D): tf.Tensor4D[] {
    const [c0, f3, f4, f6, f7, f9, f10, f11, f12] = this.features.layers as [Conv2d, ...Fire[]];
    const pool = (t: tf.Tensor4D) => maxPool2d(t, 3, { stride: 2, ceilMode: true });
    return tf.tidy(() => {
      const h1 = relu(c0.forward(x)); // [0:2]
      const h2 = f4!.forward(f3!.forward(pool(h1))); // [2:5]
      const h3 = f7!.forward(f6!.forward(pool(h2))); // [5:8]
      const h4 = f9!.forward(pool(h3)); // [8:10]
      const h5 = f10!.forward(h4); // [10:11]
      const h6 = f11!.forward(h5); // [11:12]
      const h7 = f12!.forward(h6); // [12:13]
      return [h1, h2, h3, h4, h5, h6, h7];
    });
  }
}

/**
 * torchvision `vgg16().features` (13 convs 3×3 pad 1, max-pools at 4, 9, 16, 23). Taps relu1_2,
 * relu2_2, relu3_3, relu4_3, relu5_3 (LPIPS slices [0:4], [4:9], [9:16], [16:23], [23:30]).
 */
export class Vgg16Features extends Module implements LpipsBackbone {
  readonly channels = [64, 128, 256, 512, 512] as const;
  /** Conv indices per block; a max-pool precedes every block but the first. */
  static readonly BLOCKS = [[0, 2], [5, 7], [10, 12, 14], [17, 19, 21], [24, 26, 28]] as const;
  readonly features: Sequential;
  constructor() {
    super();
    const seq = new Sequential();
    const widths = [64, 128, 256, 512, 512];
    let inC = 3;
    Vgg16Features.BLOCKS.forEach((block, b) => {
      for (const i of block) {
        seq.add(String(i), new Conv2d(inC, widths[b]!, 3, { padding: 1 }));
        inC = widths[b]!;
      }
    });
    this.features = this.child('features', seq);
  }

  taps(x: tf.Tensor4D): tf.Tensor4D[] {
    const convs = this.features.layers as Conv2d[];
    return tf.tidy(() => {
      const out: tf.Tensor4D[] = [];
      let h = x;
      let ci = 0;
      Vgg16Features.BLOCKS.forEach((block, b) => {
        if (b > 0) h = maxPool2d(h, 2, { stride: 2 });
        for (let k = 0; k < block.length; k++) h = relu(convs[ci++]!.forward(h));
        out.push(h);
      });
      return out;
    });
  }
}
