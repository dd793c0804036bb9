import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, StateDictMismatchError, type StateDict } from '@sr/core';

/** Feature names returned by {@link Encoder4}, as the official `encoder4.forward` dict. */
export type Encoder4Feature = 'r11' | 'r12' | 'p1' | 'r21' | 'r22' | 'p2' | 'r31' | 'r32' | 'r33' | 'r34' | 'p3' | 'r41';

/** Every feature {@link Encoder4} can return, in computation order. */
export const ENCODER4_FEATURES: readonly Encoder4Feature[] = ['r11', 'r12', 'p1', 'r21', 'r22', 'p2', 'r31', 'r32', 'r33', 'r34', 'p3', 'r41'];

/** `[out, in, k]` of `conv1 … conv10`, i.e. the shapes of LST's `vgg_r41.pth`. */
const CONVS: [number, number, number][] = [
  [3, 3, 1],
  [64, 3, 3],
  [64, 64, 3],
  [128, 64, 3],
  [128, 128, 3],
  [256, 128, 3],
  [256, 256, 3],
  [256, 256, 3],
  [256, 256, 3],
  [512, 256, 3],
];

/** Expected key → PyTorch shape of a `vgg_r41.pth` (encoder4) state dict. */
export const VGG_R41_SHAPES: Readonly<Record<string, number[]>> = Object.fromEntries(
  CONVS.flatMap(([o, i, k], n) => [
    [`conv${n + 1}.weight`, [o, i, k, k]],
    [`conv${n + 1}.bias`, [o]],
  ]),
);

/**
 * The normalised VGG19 up to relu4_1 used by RefVAE (official `network.py: encoder4`, taken from
 * LinearStyleTransfer): a 1×1 `conv1` that maps RGB in [0,1] to the mean-subtracted BGR·255 input
 * VGG was trained on (baked into its weights — no normalisation outside), then
 * `[ReflectionPad2d(1), conv3×3, ReLU]` blocks with 2×2 max-pools after r12, r22 and r34. The
 * reflection pads are fused into the convolutions (`paddingMode: 'reflect'`, same result; the
 * official reuse of `reflecPad7` for r12/r22 is also a 1-pixel reflection). Frozen in RefVAE.
 * Input and outputs are NHWC.
 */
export class Encoder4 extends Module {
  readonly convs: Conv2d[];

  constructor() {
    super();
    this.convs = CONVS.map(([o, i, k], n) =>
      this.child(`conv${n + 1}`, new Conv2d(i, o, k, k === 3 ? { padding: 1, paddingMode: 'reflect' } : {})),
    );
  }

  /**
   * Runs the encoder on an NHWC image in [0,1] and returns the requested features (default: all,
   * stopping after the last one requested). The caller disposes them.
   */
  forward(x: tf.Tensor4D, keep: readonly Encoder4Feature[] = ENCODER4_FEATURES): Partial<Record<Encoder4Feature, tf.Tensor4D>> {
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`Encoder4 expects an NHWC RGB tensor, got [${x.shape}]`);
    const last = Math.max(...keep.map((k) => ENCODER4_FEATURES.indexOf(k)));
    return tf.tidy(() => {
      const out: Partial<Record<Encoder4Feature, tf.Tensor4D>> = {};
      const c = this.convs;
      const relu = (i: number, h: tf.Tensor4D) => tf.relu(c[i].forward(h)) as tf.Tensor4D;
      const pool = (h: tf.Tensor4D) => tf.maxPool(h, 2, 2, 'valid');
      const steps: [Encoder4Feature, (h: tf.Tensor4D) => tf.Tensor4D][] = [
        ['r11', (h) => relu(1, c[0].forward(h))],
        ['r12', (h) => relu(2, h)],
        ['p1', pool],
        ['r21', (h) => relu(3, h)],
        ['r22', (h) => relu(4, h)],
        ['p2', pool],
        ['r31', (h) => relu(5, h)],
        ['r32', (h) => relu(6, h)],
        ['r33', (h) => relu(7, h)],
        ['r34', (h) => relu(8, h)],
        ['p3', pool],
        ['r41', (h) => relu(9, h)],
      ];
      let h = x;
      for (let i = 0; i <= last; i++) {
        const [name, fn] = steps[i];
        h = fn(h);
        if (keep.includes(name)) out[name] = h;
      }
      return out as Record<string, tf.Tensor4D>;
    }) as Partial<Record<Encoder4Feature, tf.Tensor4D>>;
  }
}

/**
 * Checks that a state dict is an `encoder4` / `vgg_r41.pth` checkpoint before loading it, so that
 * a wrong file fails with a message naming the expected file rather than a generic key list.
 */
export function validateVggR41(sd: StateDict): void {
  const missing = Object.keys(VGG_R41_SHAPES).filter((k) => !(k in sd));
  const unexpected = Object.keys(sd).filter((k) => !(k in VGG_R41_SHAPES));
  const shapeMismatch = Object.entries(VGG_R41_SHAPES)
    .filter(([k, s]) => k in sd && sd[k].shape.join() !== s.join())
    .map(([k, s]) => ({ key: k, expected: s, got: sd[k].shape }));
  if (missing.length || unexpected.length || shapeMismatch.length) {
    const err = new StateDictMismatchError({ missing, unexpected, shapeMismatch }, 'the RefVAE VGG encoder (encoder4)');
    err.message =
      `${err.message} RefVAE needs LinearStyleTransfer's normalised VGG19 "vgg_r41.pth" ` +
      '(keys conv1…conv10, conv1 3×3×1×1 … conv10 512×256×3×3); pass it as weights.encoder.';
    throw err;
  }
}
