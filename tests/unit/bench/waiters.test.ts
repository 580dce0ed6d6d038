import { DescribeInstancesCommand, waitUntilInstanceRunning, type EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, expect, test, vi } from 'vitest';
import { constantDelay, goV2Delay, sdkV3Delay, waitUntil } from '../../../bench/policies/waiters';
import { VirtualClock } from '../../../src/main/services/clock';
import type { Random } from '../../../src/sandbox';

afterEach(() => vi.restoreAllMocks());

/** A stand-in for Math.random / the seeded generator: the same fixed sequence for both. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
const randoms = [0.9, 0.1, 0.5, 0.75, 0.3, 0.6, 0.2, 0.95];
const asRandom = (next: () => number): Random => ({ next, uniform: () => 0, normal: () => 0 });
const HOUR = 3_600_000;

test('the JavaScript v3 delays are the ones the real SDK waiter sleeps, poll for poll', async () => {
  const pendingPolls = 7;
  let polls = 0;
  const client = {
    send: (command: unknown) => {
      expect(command).toBeInstanceOf(DescribeInstancesCommand);
      const state = ++polls > pendingPolls ? 'running' : 'pending';
      return Promise.resolve({ Reservations: [{ Instances: [{ State: { Name: state } }] }] });
    },
  } as unknown as EC2Client;
  const sdkDelays: number[] = [];
  vi.spyOn(Math, 'random').mockImplementation(sequence(randoms));
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
    sdkDelays.push(ms);
    fn();
    return 0;
  }) as unknown as typeof setTimeout);
  await waitUntilInstanceRunning({ client, maxWaitTime: 3600 }, { InstanceIds: ['i-0123456789abcdef0'] });
  vi.restoreAllMocks();

  const rng = asRandom(sequence(randoms));
  const delay = sdkV3Delay(15_000, 120_000);
  const ours = Array.from({ length: pendingPolls }, (_, i) => delay(i + 1, HOUR, rng));
  expect(sdkDelays).toHaveLength(pendingPolls);
  expect(ours.map(Math.round)).toEqual(sdkDelays.map(Math.round));
  // The shape EC2's defaults give: 15 s, then growing jittered delays, then 120 s flat from the 5th poll on.
  expect(ours[0]).toBe(15_000);
  expect(ours.slice(4)).toEqual([120_000, 120_000, 120_000]);
});

test('Go v2 (smithy-go ComputeDelay): the minimum first, jitter from the minimum up, a truncated ceiling', () => {
  const rng = asRandom(() => 0.5);
  const instances = goV2Delay(15_000, 120_000);
  // log2(120/15) + 1 = 4: doubling ranges for attempts 1–4, then 15–120 s, jittered, from then on.
  expect([1, 2, 3, 4, 5, 6].map((a) => instances(a, HOUR, rng))).toEqual([
    15_000, 22_500, 37_500, 67_500, 67_500, 67_500,
  ]);
  // Packer's AMI waiter: log2(120/5) + 1 = 5.58, truncated to 5: attempt 5 still doubles (5–80 s).
  const ami = goV2Delay(5_000, 120_000);
  expect([1, 2, 3, 4, 5, 6].map((a) => ami(a, HOUR, rng))).toEqual([
    5_000, 7_500, 12_500, 22_500, 42_500, 62_500,
  ]);
  // Near the deadline: the remaining time minus the minimum delay.
  expect(ami(6, 40_000, rng)).toBe(35_000);
});

test('Go v1: a constant delay', () => {
  const rng = asRandom(() => 0.5);
  expect([1, 2, 10].map((a) => constantDelay(15_000)(a, HOUR, rng))).toEqual([15_000, 15_000, 15_000]);
});

test('the waiter loop polls at once, sleeps on the given clock, and stops at success', async () => {
  const clock = new VirtualClock(0);
  clock.startAuto();
  const seenAt: number[] = [];
  const polls = await waitUntil(
    { clock, rng: asRandom(() => 0), delay: sdkV3Delay(15_000, 120_000), maxWaitMs: HOUR, what: 'test' },
    () => {
      seenAt.push(clock.now());
      return Promise.resolve(seenAt.length === 4 ? 'success' : 'retry');
    },
  );
  clock.stopAuto();
  // With no jitter every delay is the 15 s minimum.
  expect(seenAt).toEqual([0, 15_000, 30_000, 45_000]);
  expect(polls).toBe(4);
});

test('the waiter loop times out when the time is up, never sleeping past the deadline', async () => {
  const clock = new VirtualClock(0);
  clock.startAuto();
  const seenAt: number[] = [];
  const outcome = waitUntil(
    { clock, rng: asRandom(() => 0), delay: constantDelay(15_000), maxWaitMs: 40_000, what: 'test' },
    () => {
      seenAt.push(clock.now());
      return Promise.resolve('retry');
    },
  );
  await expect(outcome).rejects.toThrow('test: waiter timed out');
  clock.stopAuto();
  expect(seenAt).toEqual([0, 15_000, 30_000]);
});
