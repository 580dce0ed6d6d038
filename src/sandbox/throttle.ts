/**
 * EC2's request token buckets, per account and region, with the sizes and refill rates AWS publishes:
 * non-mutating (Describe*, Get*) 100 tokens refilling at 20/s, mutating actions 50 at 5/s, and
 * RunInstances its own 5 at 2/s. Tokens are computed lazily from the clock, so a VirtualClock governs them.
 */
export type BucketKind = 'non-mutating' | 'mutating' | 'run-instances';

const BUCKETS: Record<BucketKind, { size: number; perSecond: number }> = {
  'non-mutating': { size: 100, perSecond: 20 },
  mutating: { size: 50, perSecond: 5 },
  'run-instances': { size: 5, perSecond: 2 },
};

export function bucketFor(action: string): BucketKind {
  if (action === 'RunInstances') return 'run-instances';
  return /^(Describe|Get)/.test(action) ? 'non-mutating' : 'mutating';
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes a token for `action` in `region` at time `now`; false means the call is throttled. */
  take(region: string, action: string, now: number): boolean {
    const kind = bucketFor(action);
    const { size, perSecond } = BUCKETS[kind];
    const key = `${region}\0${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: size, at: now };
    const refilled = Math.min(size, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}
