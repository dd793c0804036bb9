import { describeGolden } from '@sr/testkit';

// edsr-baseline (LIIF EDSR encoder + ×2), rdn-small (LIIF RDN, D=2 C=3 G=16), rrdbnet-small (BasicSR
// RRDBNet ×4): official weights loaded strictly, outputs within the cases' 1e-4 tolerance, on cpu, wasm
// and webgpu.
describeGolden('coreBackbones');
