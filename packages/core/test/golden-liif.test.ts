import { ensureGradients } from '@sr/core';
import { describeGolden } from '@sr/testkit';

// LIIF (Chen et al., CVPR 2021) and LTE (Lee & Jin, CVPR 2022) against the official PyTorch outputs:
// feat, pred (stored inputs/coords/cells) and img (public upscale path from inp_raw with generated coords),
// on cpu, wasm and webgpu.
describeGolden('coreLiif', () => ensureGradients());
