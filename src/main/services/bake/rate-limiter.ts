import type { Clock } from '../clock';
import { TokenBucket } from './token-bucket';

/**
 * Client-side token buckets sized to EC2's own request buckets (per account and region), so that many bakes
 * at once queue here instead of tripping RequestLimitExceeded and burning retries. GetConsoleOutput cannot be
 * batched, so it also draws from a small budget of its own that bakes share round-robin.
 */
export const EC2_BUCKETS = {
  'run-instances': { capacity: 5, refillPerSecond: 2 },
  mutating: { capacity: 50, refillPerSecond: 5 },
  'non-mutating': { capacity: 100, refillPerSecond: 20 },
} as const;
export const CONSOLE_BUDGET = { capacity: 4, refillPerSecond: 2 } as const;
/**
 * Auto Scaling's budget, for actions named `autoscaling:<Action>`. AWS publishes no numbers for it; these
 * are conservative, and the Sandbox throttles at the same sizes (src/sandbox/autoscaling/throttle.ts).
 */
export const AUTO_SCALING_BUCKETS = {
  describe: { capacity: 40, refillPerSecond: 8 },
  mutate: { capacity: 20, refillPerSecond: 2 },
} as const;
export const AUTO_SCALING_PREFIX = 'autoscaling:';

export type ActionCategory = keyof typeof EC2_BUCKETS;

export function categoryOf(action: string): ActionCategory {
  if (action === 'RunInstances') return 'run-instances';
  if (/^(Describe|Get|List)/.test(action)) return 'non-mutating';
  return 'mutating';
}

export class RegionLimiter {
  private readonly buckets: Record<ActionCategory, TokenBucket>;
  private readonly console: TokenBucket;
  private readonly autoScaling: Record<keyof typeof AUTO_SCALING_BUCKETS, TokenBucket>;

  constructor(clock: Clock) {
    this.buckets = {
      'run-instances': bucket(clock, EC2_BUCKETS['run-instances']),
      mutating: bucket(clock, EC2_BUCKETS.mutating),
      'non-mutating': bucket(clock, EC2_BUCKETS['non-mutating']),
    };
    this.console = bucket(clock, CONSOLE_BUDGET);
    this.autoScaling = {
      describe: bucket(clock, AUTO_SCALING_BUCKETS.describe),
      mutate: bucket(clock, AUTO_SCALING_BUCKETS.mutate),
    };
  }

  /** Waits for the right to send `action` (an EC2 API action name, or `autoscaling:<Action>`). */
  async acquire(action: string, signal?: AbortSignal): Promise<void> {
    if (action.startsWith(AUTO_SCALING_PREFIX)) {
      const name = action.slice(AUTO_SCALING_PREFIX.length);
      return this.autoScaling[/^Describe/.test(name) ? 'describe' : 'mutate'].take(signal);
    }
    if (action === 'GetConsoleOutput') await this.console.take(signal);
    await this.buckets[categoryOf(action)].take(signal);
  }
}

function bucket(clock: Clock, size: { capacity: number; refillPerSecond: number }): TokenBucket {
  return new TokenBucket(clock, size.capacity, size.refillPerSecond);
}
