import { design2015 } from './design-2015';
import { packerV1, packerV2 } from './packer';
import { quadraxis } from './quadraxis';
import { sdkWaiters } from './sdk-waiters';
import type { Policy } from './types';

/**
 * Quadraxis first; then the fair anchors — how AMIs are baked without it — and the SDK v3 waiters at four
 * settings, from EC2's defaults to tuned far below them: the curve Quadraxis is measured against.
 */
export const POLICIES: readonly Policy[] = [
  quadraxis,
  packerV2,
  packerV1,
  design2015,
  sdkWaiters({ minDelaySeconds: 15, maxDelaySeconds: 120, group: 'anchor' }),
  sdkWaiters({ minDelaySeconds: 10, maxDelaySeconds: 60, group: 'tuned-waiter' }),
  sdkWaiters({ minDelaySeconds: 5, maxDelaySeconds: 15, group: 'tuned-waiter' }),
  sdkWaiters({ minDelaySeconds: 2, maxDelaySeconds: 10, group: 'tuned-waiter' }),
];

/** The SDK-v3 waiters at EC2's defaults: the calls-per-bake yardstick of the targets. */
export const SDK_DEFAULT_ID = 'sdk-v3-15-120';

export function policyById(id: string): Policy {
  const policy = POLICIES.find((p) => p.id === id);
  if (!policy) throw new Error(`unknown policy "${id}" (known: ${POLICIES.map((p) => p.id).join(', ')})`);
  return policy;
}
