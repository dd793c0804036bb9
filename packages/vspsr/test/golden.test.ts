import { describeGolden } from '@sr/testkit';

// Golden parity with the official PyTorch code (zzhwfy/VSpSR @ c2250ca): the VSpM forward with the
// recorded ε (basis, μ/σ, w, KL, x_s, finalbranch, upx, pred) and the official OpenCV-kernel CEM, on
// cpu, wasm (which crashed before issue #20's fix: a freed basis) and webgpu.
describeGolden('vspsr');
