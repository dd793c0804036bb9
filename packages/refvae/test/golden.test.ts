import { describeGolden } from '@sr/testkit';

// Official RefVAE (eval_8x.py path) with random periodic weights and injected ε / z_prior:
// VGG features, CVAE posterior, fused features, decoder output and SR within atol 1e-4 / rtol 1e-3,
// on cpu, wasm and webgpu.
describeGolden('refvae');
