import { design2015 } from './design-2015';
import { packer } from './packer';
import { quadraxis } from './quadraxis';
import { sdkWaiters } from './sdk-waiters';
import type { Policy } from './types';

/** Quadraxis first: every ratio is against it. */
export const POLICIES: readonly Policy[] = [quadraxis, design2015, sdkWaiters, packer];

export function policyById(id: string): Policy {
  const policy = POLICIES.find((p) => p.id === id);
  if (!policy) throw new Error(`unknown policy "${id}" (known: ${POLICIES.map((p) => p.id).join(', ')})`);
  return policy;
}
