/**
 * Maps the encoder of a CiaoSR checkpoint (mmedit `EDSR` without upsampler: `conv_first`,
 * `body.N.conv{1,2}`, `conv_after_body`) onto the staged EDSR of CLSR (EDSR-PyTorch names: `head.0`,
 * `body.N.body.{0,2}`, `body.<n>`), so the built-in LocalSR reuses the built-in CiaoSR's trained
 * features. The tail (×4 upsampler + last conv) has no CiaoSR counterpart and is trained separately.
 * @module
 */
import { InputError, type StateDict } from '@sr/core';

/** The DIV2K RGB mean CiaoSR subtracts from its input (`x − mean`). */
const CIAOSR_MEAN = [0.4488, 0.4371, 0.404];

/**
 * The CLSR base-branch weights (`head.*`, `body.*`; PyTorch layout) equivalent to a CiaoSR encoder.
 * CiaoSR feeds `x − mean` to `conv_first`; CLSR's EDSR feeds `2x − 1` to `head.0`. With
 * `W' = W/2` and `b' = b + Σ W·(0.5 − mean_c)` the two agree exactly away from the image border (in
 * the 1-pixel border, zero padding stands for x = mean in one and x = 0.5 in the other).
 */
export function ciaosrEncoderToEdsr(sd: StateDict): { weights: StateDict; blocks: number; channels: number } {
  const get = (k: string) => {
    const t = sd[k];
    if (!t || t.dtype !== 'float32') throw new InputError(`not a CiaoSR EDSR checkpoint: '${k}' missing or not float32`);
    return t;
  };
  const w = get('conv_first.weight');
  const b = get('conv_first.bias');
  const [cout, cin, kh, kw] = w.shape;
  if (cin !== 3) throw new InputError(`conv_first expects 3 input channels, got ${cin}`);
  const wd = w.data as Float32Array;
  const w2 = new Float32Array(wd.length);
  const b2 = Float32Array.from(b.data as Float32Array);
  for (let o = 0; o < cout; o++)
    for (let c = 0; c < cin; c++)
      for (let k = 0; k < kh * kw; k++) {
        const i = ((o * cin + c) * kh * kw) + k;
        w2[i] = wd[i] / 2;
        b2[o] += wd[i] * (0.5 - CIAOSR_MEAN[c]);
      }
  const out: StateDict = {
    'head.0.weight': { ...w, data: w2 },
    'head.0.bias': { ...b, data: b2 },
  };
  let n = 0;
  while (sd[`body.${n}.conv1.weight`]) {
    for (const [from, to] of [['conv1', '0'], ['conv2', '2']]) {
      out[`body.${n}.body.${to}.weight`] = get(`body.${n}.${from}.weight`);
      out[`body.${n}.body.${to}.bias`] = get(`body.${n}.${from}.bias`);
    }
    n++;
  }
  out[`body.${n}.weight`] = get('conv_after_body.weight');
  out[`body.${n}.bias`] = get('conv_after_body.bias');
  return { weights: out, blocks: n, channels: cout };
}
