import { DescribeInstancesCommand, waitUntilInstanceRunning, type EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, expect, test, vi } from 'vitest';
import { sdkWaiter, sdkWaiterDelayMs } from '../../../bench/policies/waiters';
import { VirtualClock } from '../../../src/main/services/clock';
import type { Random } from '../../../bench/lib/random';

afterEach(() => vi.restoreAllMocks());

/** A stand-in for Math.random / the seeded generator: the same fixed sequence for both. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
const randoms = [0.9, 0.1, 0.5, 0.75, 0.3, 0.6, 0.2, 0.95];
const asRandom = (next: () => number): Random => ({ next, uniform: () => 0, normal: () => 0 });

test('the re-implemented delays are the ones the real SDK waiter sleeps, poll for poll', async () => {
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
  const ours = Array.from({ length: pendingPolls }, (_, i) => sdkWaiterDelayMs(i + 1, 15_000, 120_000, rng));
  expect(sdkDelays).toHaveLength(pendingPolls);
  expect(ours.map(Math.round)).toEqual(sdkDelays.map(Math.round));
  // The shape EC2's defaults give: 15 s, then growing jittered delays, then 120 s flat from the 5th poll on.
  expect(ours[0]).toBe(15_000);
  expect(ours.slice(4)).toEqual([120_000, 120_000, 120_000]);
});

test('Packer’s AMI waiter starts at 5 s and reaches 120 s from the 6th poll', () => {
  const rng = asRandom(() => 0.5);
  const delays = Array.from({ length: 7 }, (_, i) => sdkWaiterDelayMs(i + 1, 5_000, 120_000, rng));
  expect(delays).toEqual([5_000, 7_500, 12_500, 22_500, 42_500, 120_000, 120_000]);
});

test('the waiter loop polls at once, sleeps on the given clock, and stops at success', async () => {
  const clock = new VirtualClock(0);
  clock.startAuto();
  const seenAt: number[] = [];
  await sdkWaiter(
    { clock, rng: asRandom(() => 0), minDelay: 15, maxDelay: 120, maxWaitTime: 3600, what: 'test' },
    () => {
      seenAt.push(clock.now());
      return Promise.resolve(seenAt.length === 4 ? 'success' : 'retry');
    },
  );
  clock.stopAuto();
  // With no jitter every delay is the 15 s minimum.
  expect(seenAt).toEqual([0, 15_000, 30_000, 45_000]);
});
