/**
 * The GCM's scale modules (paper §3.2, Eq. 4–5, Fig. 4c): a zero-initialised learnable conv plus a
 * bilinear residual, so that at initialisation they are exactly plain bilinear resizing
 * ("zero convolution", after ControlNet).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, ConvTranspose2d, Module, bilinearResize, zerosInit } from '@sr/core';

/** Zeroes a conv's weight and bias (the paper's zero initialisation). */
function zeroInit(m: Conv2d | ConvTranspose2d): void {
  tf.tidy(() => {
    m.weight.assign(zerosInit(m.weight.shape));
    if (m.bias) m.bias.assign(zerosInit(m.bias.shape));
  });
}

/**
 * `z↓ = S_down(z) + z↓_BI` (Eq. 4). S_down is "a single-layer strided convolution" (§4.1); we use
 * kernel `2f−1`, stride f, padding f−1 (k3 s2 p1 for f = 2), whose output size ⌈h/f⌉ we also give the
 * bilinear branch. Bilinear is PyTorch's `interpolate(mode='bilinear', align_corners=False)`
 * without antialiasing — the default an implementation of the paper would use (computed by
 * {@link bilinearResize}, equal to `@sr/core`'s `interpolate`).
 */
export class ZeroInitDownsampler extends Module {
  readonly conv: Conv2d;
  constructor(readonly channels: number, readonly factor = 2) {
    super();
    this.conv = this.child('conv', new Conv2d(channels, channels, 2 * factor - 1, { stride: factor, padding: factor - 1 }));
    zeroInit(this.conv);
  }
  /** Output spatial size for an input of size `n`. */
  outSize(n: number): number {
    return Math.ceil(n / this.factor);
  }
  /** `z↓` for `z` `[N, h, w, C]` → `[N, ⌈h/f⌉, ⌈w/f⌉, C]`; equals bilinear downsampling until the conv is trained. */
  forward(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = z.shape;
      const bi = bilinearResize(z, [this.outSize(h), this.outSize(w)]);
      return tf.add(this.conv.forward(z), bi) as tf.Tensor4D;
    });
  }
}

/**
 * `g↑ = S_up(g) + g↑_BI` (Eq. 5). S_up is "a single-layer transposed convolution" (§4.1): kernel f,
 * stride f (non-overlapping, output f·h'), cropped to the target size `[h, w]` (it can be one larger
 * when h was odd before ⌈h/f⌉); the bilinear branch resizes straight to `[h, w]`.
 */
export class ZeroInitUpsampler extends Module {
  readonly deconv: ConvTranspose2d;
  constructor(readonly channels: number, readonly factor = 2) {
    super();
    this.deconv = this.child('deconv', new ConvTranspose2d(channels, channels, factor, { stride: factor }));
    zeroInit(this.deconv);
  }
  /**
   * `g↑` for `g` `[N, h', w', C]` → `[N, size[0], size[1], C]` (the size of the level it returns to);
   * equals bilinear upsampling until the transposed conv is trained.
   */
  forward(g: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, , , c] = g.shape;
      const bi = bilinearResize(g, size);
      const up = tf.slice(this.deconv.forward(g), [0, 0, 0, 0], [n, size[0], size[1], c]);
      return tf.add(up, bi) as tf.Tensor4D;
    });
  }
}
