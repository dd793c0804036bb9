import { describeGolden } from '@sr/testkit';

// Official CiaoSR outputs (feat, nl_feat, query, pred_raw, img) within the case tolerance (1e-4), on
// cpu, wasm and webgpu; ciaosr-edsr-lowscale holds the scales below 2 whose boundary columns need
// PyTorch's float32 unnormalisation (issue #20).
describeGolden('ciaosr');
