import type { Clock } from '../../src/main/services/clock';
import type { Random } from '../lib/random';

/** What one poll of a waiter concluded (the SDK's WaiterState without ABORTED). */
export type WaiterState = 'success' | 'failure' | 'retry';

export class WaiterError extends Error {
  constructor(
    readonly state: 'failure' | 'timeout',
    what: string,
  ) {
    super(`${what}: waiter ${state === 'failure' ? 'reached a failure state' : 'timed out'}`);
    this.name = 'WaiterError';
  }
}

/**
 * The delay before poll number `attempt` (1-based, counting polls after the first) of an AWS SDK waiter, as
 * @smithy/core 3.41.1 computes it for @aws-sdk/client-ec2 3.1169.0 (dist-cjs/submodules/client/index.js,
 * `exponentialBackoffWithJitter`; the Go SDK v2's `smithywaiter.ComputeDelay` is the same formula):
 *
 *   attemptCeiling = log2(maxDelay / minDelay) + 1
 *   attempt > attemptCeiling ? maxDelay : uniform(minDelay, min(maxDelay, minDelay · 2^(attempt − 1)))
 *
 * and when the delay would run past the waiter's deadline, the remaining time minus 500 ms.
 * Math.random is replaced by the benchmark's seeded generator; nothing else differs.
 */
export function sdkWaiterDelayMs(
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
  rng: Random,
  remainingMs = Number.POSITIVE_INFINITY,
): number {
  const attemptCeiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
  let delay: number;
  if (attempt > attemptCeiling) delay = maxDelayMs;
  else {
    const capped = Math.min(minDelayMs * 2 ** (attempt - 1), maxDelayMs);
    delay = minDelayMs + rng.next() * (capped - minDelayMs);
  }
  return delay > remainingMs ? Math.max(0, remainingMs - 500) : delay;
}

export interface SdkWaiterOptions {
  clock: Clock;
  rng: Random;
  /** Seconds, as the SDK takes them. EC2's waiters default to 15 and 120. */
  minDelay: number;
  maxDelay: number;
  /** The caller must pass one to the SDK; the benchmark gives every wait an hour. */
  maxWaitTime: number;
  /** What is being waited for, for error messages. */
  what: string;
}

/**
 * `runPolling` from the same file: the first poll at once, then `sdkWaiterDelayMs` between polls, until an
 * acceptor says success or failure or the next delay would pass the deadline. Sleeps on the given clock
 * instead of setTimeout, which is the only reason the SDK's own waiters cannot be called here.
 */
export async function sdkWaiter(options: SdkWaiterOptions, check: () => Promise<WaiterState>): Promise<void> {
  const { clock } = options;
  const waitUntil = clock.now() + options.maxWaitTime * 1000;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const delay = sdkWaiterDelayMs(
        attempt,
        options.minDelay * 1000,
        options.maxDelay * 1000,
        options.rng,
        waitUntil - clock.now(),
      );
      if (clock.now() + delay > waitUntil) throw new WaiterError('timeout', options.what);
      await clock.sleep(delay);
    }
    const state = await check();
    if (state === 'success') return;
    if (state === 'failure') throw new WaiterError('failure', options.what);
  }
}

/**
 * A fixed-delay waiter as the AWS SDK for PHP runs one (src/Waiter.php: `initDelay` 0, then `delay` seconds
 * between attempts, at most `maxAttempts`); the 2015 design's InstanceRunning waiter is delay 15, 40 attempts
 * (src/data/ec2/2016-11-15/waiters-2.json). The SDK for PHP v2 of the seed post behaves the same way.
 */
export async function fixedDelayWaiter(
  options: { clock: Clock; delaySeconds: number; maxAttempts: number; what: string },
  check: () => Promise<WaiterState>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const state = await check();
    if (state === 'success') return;
    if (state === 'failure') throw new WaiterError('failure', options.what);
    if (attempt >= options.maxAttempts) throw new WaiterError('timeout', options.what);
    await options.clock.sleep(options.delaySeconds * 1000);
  }
}
