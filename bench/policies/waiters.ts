import type { Clock } from '../../src/main/services/clock';
import type { Random } from '../../src/sandbox';

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

/** One poll: its number among the polls after the first (1-based), and what the waiter sleeps before it. */
export type DelayFormula = (attempt: number, remainingMs: number, rng: Random) => number;

/**
 * The AWS SDK for JavaScript v3 (@smithy/core 3.41.1 util-waiter/poller.js, `exponentialBackoffWithJitter`
 * and `runPolling`, as @aws-sdk/client-ec2 3.1178.0 ships it; tests/unit/bench/waiters.test.ts checks it
 * against the real waiter):
 *
 *   attemptCeiling = log2(maxDelay / minDelay) + 1
 *   attempt > attemptCeiling ? maxDelay : uniform(minDelay, min(maxDelay, minDelay · 2^(attempt − 1)))
 *
 * and, below the ceiling, when that would run past the deadline, the remaining time minus 500 ms.
 */
export function sdkV3Delay(minDelayMs: number, maxDelayMs: number): DelayFormula {
  const attemptCeiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
  return (attempt, remainingMs, rng) => {
    if (attempt > attemptCeiling) return maxDelayMs;
    const capped = Math.min(minDelayMs * 2 ** (attempt - 1), maxDelayMs);
    const delay = minDelayMs + rng.next() * (capped - minDelayMs);
    return delay > remainingMs ? Math.max(0, remainingMs - 500) : delay;
  };
}

/**
 * The AWS SDK for Go v2 (smithy-go waiter/waiter.go `ComputeDelay`, which every generated waiter of
 * aws-sdk-go-v2 calls after each poll with the poll's 1-based count). Unlike JavaScript's, it truncates the
 * attempt ceiling to an integer (of the Durations' integer ratio) and jitters past it too:
 *
 *   attemptCeiling = int64(log2(maxDelay / minDelay) + 1)
 *   delay = attempt > attemptCeiling ? maxDelay : minDelay · 2^(attempt − 1)
 *   delay ≠ minDelay ? delay = minDelay + rand[0, delay − minDelay) : delay
 *   remaining − delay ≤ minDelay ? delay = remaining − minDelay
 *
 * So 15 s/120 s waits 15 s, then 15–30, 15–60, 15–120 s, and 15–120 s (mean 67.5 s) from then on.
 */
export function goV2Delay(minDelayMs: number, maxDelayMs: number): DelayFormula {
  const attemptCeiling = Math.trunc(Math.log(Math.trunc(maxDelayMs / minDelayMs)) / Math.log(2) + 1);
  return (attempt, remainingMs, rng) => {
    let delay = attempt > attemptCeiling ? maxDelayMs : minDelayMs * 2 ** (attempt - 1);
    if (delay !== minDelayMs) delay = minDelayMs + rng.next() * (delay - minDelayMs);
    if (remainingMs - delay <= minDelayMs) delay = remainingMs - minDelayMs;
    return delay;
  };
}

/** The AWS SDK for Go v1 (aws/request/waiter.go with `ConstantWaiterDelay`): the same delay every time. */
export function constantDelay(delayMs: number): DelayFormula {
  return () => delayMs;
}

export interface WaiterOptions {
  clock: Clock;
  rng: Random;
  delay: DelayFormula;
  /** The whole wait, as the caller must give it to the SDK (v1: attempts × delay). */
  maxWaitMs: number;
  /** Go v2 stops when less than its minimum delay is left; JavaScript and v1 when the next sleep would pass. */
  minRemainingMs?: number;
  /** What is being waited for, for error messages. */
  what: string;
}

/**
 * The loop every SDK waiter runs: a poll at once, then the formula's delay between polls, until an acceptor
 * says success or failure or the time is up. Sleeps on the given clock instead of setTimeout, which is the
 * only reason the SDKs' own waiters cannot be called here; the seeded generator replaces their randomness.
 * Returns the number of polls made.
 */
export async function waitUntil(options: WaiterOptions, check: () => Promise<WaiterState>): Promise<number> {
  const { clock } = options;
  const deadline = clock.now() + options.maxWaitMs;
  for (let attempt = 1; ; attempt++) {
    const state = await check();
    if (state === 'success') return attempt;
    if (state === 'failure') throw new WaiterError('failure', options.what);
    const remaining = deadline - clock.now();
    if (remaining <= (options.minRemainingMs ?? 0)) throw new WaiterError('timeout', options.what);
    const delay = options.delay(attempt, remaining, options.rng);
    if (delay <= 0 || clock.now() + delay > deadline) throw new WaiterError('timeout', options.what);
    await clock.sleep(delay);
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
