/**
 * LocalSR's former name for @sr/core's pipeline FLOP counter, kept so that existing imports work.
 * @module
 */
import { countFlopsDuring } from '@sr/core';

/**
 * Runs `fn` and returns its result with the FLOPs of the convolutions/linears/attention it ran.
 * @deprecated Moved to @sr/core as `countFlopsDuring` (core's own `countFlops` counts one module's
 * forward); this alias will be removed in a future major version.
 */
export const countFlops: typeof countFlopsDuring = countFlopsDuring;
