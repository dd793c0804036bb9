/**
 * Stage 1 of LAR-SR: the texture VQ-VAE (`res_vq.py` `res_vqvae`, paper §3.2), NHWC.
 *
 * x_c is the coarse SR (frozen RRDB output). The encoder E sees `concat(HR, x_c)` (the paper says HR
 * only; the code also feeds x_c), quantises at stride 2 with an EMA codebook; a structure branch
 * `enc_t` encodes x_c; the decoder D maps `concat(enc_t(x_c), q)` to a texture residual that is
 * **added to x_c**. Keys equal the official `state_dict` (`enc_b.*`, `quantize_conv_b.*`,
 * `quantize_b.{embed,cluster_size,embed_avg}`, `enc_t.*`, `dec.*`); a checkpoint saved with
 * `backbone='RRDB'` also holds `cause_sr.*`, which {@link splitCoarseKeys} separates.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, ConvTranspose2d, InputError, Module, ReLU, Sequential, VectorQuantizer, type StateDict } from '@sr/core';
import { ResBlock } from './blocks.js';

/** Latent strides the official Encoder/Decoder support. */
export type VqStride = 1 | 2 | 4 | 8;

/**
 * `Encoder` of `res_vq.py`: a stride-specific stem (4×4 stride-2 convs with ReLU, then a 3×3 conv),
 * `nResBlock` {@link ResBlock}s and a final ReLU, all in `blocks` (official Sequential indices).
 */
export class VqEncoder extends Module {
  readonly blocks: Sequential;
  constructor(inChannel: number, channel: number, nResBlock: number, nResChannel: number, stride: VqStride = 2) {
    super();
    const b = (this.blocks = this.child('blocks', new Sequential()));
    const half = Math.floor(channel / 2);
    const stems: Record<VqStride, [number, number, number, number][]> = {
      // [in, out, kernel, stride] per conv; a ReLU sits between consecutive convs.
      1: [[inChannel, channel, 3, 1], [channel, channel, 3, 1]],
      2: [[inChannel, half, 4, 2], [half, channel, 3, 1]],
      4: [[inChannel, half, 4, 2], [half, channel, 4, 2], [channel, channel, 3, 1]],
      8: [[inChannel, half, 4, 2], [half, channel, 4, 2], [channel, channel, 4, 2], [channel, channel, 3, 1]],
    };
    let i = 0;
    stems[stride].forEach(([cin, cout, k, s], j, all) => {
      b.add(String(i++), new Conv2d(cin, cout, k, { stride: s, padding: 1 }));
      if (j < all.length - 1) b.add(String(i++), new ReLU());
    });
    for (let r = 0; r < nResBlock; r++) b.add(String(i++), new ResBlock(channel, nResChannel));
    b.add(String(i++), new ReLU());
  }
  /** `[B, H, W, inChannel]` → `[B, H/stride, W/stride, channel]` (in LAR-SR: `concat(HR, x_c)` → latent features). */
  forward(x: tf.Tensor): tf.Tensor4D {
    return this.blocks.forward(x) as tf.Tensor4D;
  }
}

/**
 * `Decoder` of `res_vq.py`: 3×3 conv, `nResBlock` {@link ResBlock}s, ReLU, then stride-specific
 * 4×4 stride-2 transposed convs (LAR-SR: one, `channel → out`).
 */
export class VqDecoder extends Module {
  readonly blocks: Sequential;
  constructor(inChannel: number, outChannel: number, channel: number, nResBlock: number, nResChannel: number, stride: VqStride = 2) {
    super();
    const b = (this.blocks = this.child('blocks', new Sequential()));
    let i = 0;
    b.add(String(i++), new Conv2d(inChannel, channel, 3, { padding: 1 }));
    for (let r = 0; r < nResBlock; r++) b.add(String(i++), new ResBlock(channel, nResChannel));
    b.add(String(i++), new ReLU());
    const half = Math.floor(channel / 2);
    const up = (cin: number, cout: number) => new ConvTranspose2d(cin, cout, 4, { stride: 2, padding: 1 });
    if (stride === 1) {
      b.add(String(i++), new Conv2d(channel, channel, 3, { padding: 1 }));
      b.add(String(i++), new ReLU());
      b.add(String(i++), new Conv2d(channel, outChannel, 1));
    } else {
      const chain: [number, number][] =
        stride === 2 ? [[channel, outChannel]] : stride === 4 ? [[channel, half], [half, outChannel]] : [[channel, half], [half, channel], [channel, outChannel]];
      chain.forEach(([cin, cout], j) => {
        b.add(String(i++), up(cin, cout));
        if (j < chain.length - 1) b.add(String(i++), new ReLU());
      });
    }
  }
  /** `[B, h, w, inChannel]` → `[B, h·stride, w·stride, outChannel]` (in LAR-SR: `concat(enc_t(x_c), q)` → texture residual). */
  forward(x: tf.Tensor): tf.Tensor4D {
    return this.blocks.forward(x) as tf.Tensor4D;
  }
}

/** Constructor options of {@link TexVQVAE}; names and defaults follow `res_vqvae`. */
export interface TexVQVAEConfig {
  inChannel?: number;
  /** Encoder/decoder width (official 128). */
  channel?: number;
  nResBlock?: number;
  nResChannel?: number;
  /** Code dimension (official 64). */
  embedDim?: number;
  /** Codebook size K (official constructor default 128; LAR-SR DIV2K `test.py` uses 1024). */
  nEmbed?: number;
  /** EMA decay of the codebook (0.99). */
  decay?: number;
  /** Commitment weight β used by the training loss (paper eq. 2 does not give it; VQ-VAE's 0.25). */
  beta?: number;
}

/** What {@link TexVQVAE.encode} returns (NHWC; the caller disposes). */
export interface TexEncoding {
  /** `enc_b(concat(hr, x_c))`, `[B, H/2, W/2, channel]`. */
  encOut: tf.Tensor4D;
  /** `quantize_conv_b` output — the pre-quantisation latent y, `[B, H/2, W/2, embedDim]`. */
  zE: tf.Tensor4D;
  /** Straight-through quantised latent, `[B, H/2, W/2, embedDim]`. */
  quantized: tf.Tensor4D;
  /** Code indices `[B, H/2, W/2]` int32. */
  indices: tf.Tensor3D;
  /** Commitment MSE `mean((sg[q] − y)²)` (official `diff`). */
  diff: tf.Scalar;
}

/** The LAR-SR tex-VQVAE (Stage 1). All tensors NHWC; x_c is the coarse SR at HR size. */
export class TexVQVAE extends Module {
  readonly encB: VqEncoder;
  readonly quantizeConvB: Conv2d;
  readonly quantizeB: VectorQuantizer;
  readonly encT: VqEncoder;
  readonly dec: VqDecoder;
  readonly config: Required<TexVQVAEConfig>;

  constructor(cfg: TexVQVAEConfig = {}) {
    super();
    const c: Required<TexVQVAEConfig> = {
      inChannel: 3, channel: 128, nResBlock: 4, nResChannel: 32, embedDim: 64, nEmbed: 1024, decay: 0.99, beta: 0.25, ...cfg,
    };
    this.config = c;
    this.encB = this.child('enc_b', new VqEncoder(c.inChannel * 2, c.channel, c.nResBlock, c.nResChannel, 2));
    this.quantizeConvB = this.child('quantize_conv_b', new Conv2d(c.channel, c.embedDim, 1));
    this.quantizeB = this.child('quantize_b', new VectorQuantizer(c.embedDim, c.nEmbed, { decay: c.decay, beta: c.beta }));
    this.encT = this.child('enc_t', new VqEncoder(c.inChannel, c.channel, c.nResBlock, c.nResChannel, 2));
    this.dec = this.child('dec', new VqDecoder(c.embedDim + c.channel, c.inChannel, c.channel, c.nResBlock, c.nResChannel, 2));
  }

  private check(x: tf.Tensor, what: string): void {
    if (x.rank !== 4 || x.shape[3] !== this.config.inChannel || x.shape[1]! % 2 || x.shape[2]! % 2)
      throw new InputError(`TexVQVAE: ${what} must be NHWC [B, H, W, ${this.config.inChannel}] with even H and W, got [${x.shape}]`);
  }

  /** `res_vqvae.encode`: E(concat(hr, x_c)) → y → nearest codes (no EMA update; see `quantizeB.emaUpdate`). */
  encode(hr: tf.Tensor4D, xc: tf.Tensor4D): TexEncoding {
    this.check(hr, 'hr');
    this.check(xc, 'x_c');
    if (hr.shape.join() !== xc.shape.join()) throw new InputError(`TexVQVAE: hr [${hr.shape}] and x_c [${xc.shape}] differ in shape`);
    return tf.tidy(() => {
      const encOut = this.encB.forward(tf.concat([hr, xc], 3));
      const zE = this.quantizeConvB.forward(encOut);
      const q = this.quantizeB.forward(zE);
      tf.dispose(q.commitmentLoss);
      return { encOut, zE, quantized: q.quantized as tf.Tensor4D, indices: q.indices as tf.Tensor3D, diff: q.diff };
    }) as TexEncoding;
  }

  /** Texture residual D(concat(enc_t(x_c), q)) at HR size (before adding x_c). */
  decodeResidual(xc: tf.Tensor4D, quant: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.dec.forward(tf.concat([this.encT.forward(xc), quant], 3)));
  }

  /** `res_vqvae.decode_code`: codebook lookup of `ids` `[B, H/2, W/2]`, decode, add x_c. */
  decodeCode(xc: tf.Tensor4D, ids: tf.Tensor): tf.Tensor4D {
    this.check(xc, 'x_c');
    const [b, h, w] = ids.shape;
    if (ids.rank !== 3 || b !== xc.shape[0] || h * 2 !== xc.shape[1] || w * 2 !== xc.shape[2])
      throw new InputError(`TexVQVAE.decodeCode: index map [${ids.shape}] does not match x_c [${xc.shape}] (expected [B, H/2, W/2])`);
    return tf.tidy(() => tf.add(this.decodeResidual(xc, this.quantizeB.lookup(ids) as tf.Tensor4D), xc) as tf.Tensor4D);
  }

  /** `res_vqvae.forward`: reconstruction `D(…) + x_c` and the commitment MSE (Stage-1 training pass). */
  forward(hr: tf.Tensor4D, xc: tf.Tensor4D): { out: tf.Tensor4D; diff: tf.Scalar; indices: tf.Tensor3D; zE: tf.Tensor4D } {
    return tf.tidy(() => {
      const e = this.encode(hr, xc);
      const out = tf.add(this.decodeResidual(xc, e.quantized), xc) as tf.Tensor4D;
      return { out, diff: e.diff, indices: e.indices, zE: e.zE };
    });
  }
}

/**
 * Splits a `res_vqvae` state dict saved with `backbone='RRDB'` into the VQ-VAE part and the coarse
 * RRDB part (`cause_sr.*`, returned without the prefix — the layout of a standalone RRDB_PSNR file).
 */
export function splitCoarseKeys(sd: StateDict): { vqvae: StateDict; coarse: StateDict | null } {
  const vqvae: StateDict = {};
  const coarse: StateDict = {};
  let any = false;
  for (const [k, v] of Object.entries(sd)) {
    if (k.startsWith('cause_sr.')) {
      coarse[k.slice('cause_sr.'.length)] = v;
      any = true;
    } else vqvae[k] = v;
  }
  return { vqvae, coarse: any ? coarse : null };
}
