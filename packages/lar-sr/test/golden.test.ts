import { describeGolden } from '@sr/testkit';

// Golden parity with the official PyTorch code (fixtures/golden/larsr_*, STOCHASTIC.md §1): RRDB
// coarse model, tex-VQVAE (indices exact), teacher-forced LAR / LAR-attn logits, and the sampler with
// the recorded randomness injected (sampled and greedy index maps exact, decoded images, step probs);
// on cpu, wasm and webgpu.
describeGolden('larSr');
