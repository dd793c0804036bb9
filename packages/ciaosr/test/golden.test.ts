import { describeBackends, goldenTests } from '@sr/testkit';

// Official CiaoSR outputs (feat, nl_feat, query, pred_raw, img) within the case tolerance (1e-4).
describeBackends('golden', () => goldenTests('ciaosr-'));
