/**
 * Auto Scaling's request throttling, per account and region. AWS does not publish these limits (it answers
 * `Throttling: Rate exceeded` when a caller goes too fast); these sizes are the Sandbox's own, conservative
 * choice, and the product's client-side limiter uses the same ones (AUTO_SCALING_BUCKETS there).
 */
export const AUTO_SCALING_THROTTLE = {
  describe: { size: 40, perSecond: 8 },
  mutate: { size: 20, perSecond: 2 },
} as const;

type Kind = keyof typeof AUTO_SCALING_THROTTLE;

export class AutoScalingBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(region: string, action: string, now: number): boolean {
    const kind: Kind = /^Describe/.test(action) ? 'describe' : 'mutate';
    const { size, perSecond } = AUTO_SCALING_THROTTLE[kind];
    const key = `${region}\0${kind}`;
    const bucket = this.buckets.get(key) ?? { tokens: size, at: now };
    const tokens = Math.min(size, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}
