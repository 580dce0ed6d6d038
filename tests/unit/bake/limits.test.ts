import { expect, test } from 'vitest';
import { categoryOf, RegionLimiter } from '../../../src/main/services/bake/rate-limiter';
import { SlotQueue } from '../../../src/main/services/bake/queue';
import { TokenBucket } from '../../../src/main/services/bake/token-bucket';
import { VirtualClock } from '../../../src/main/services/clock';

test('a token bucket serves its burst at once, then at the refill rate, first come first served', async () => {
  const clock = new VirtualClock(0);
  const bucket = new TokenBucket(clock, 5, 2);
  const served: number[] = [];
  const all = Array.from({ length: 9 }, (_, i) => bucket.take().then(() => served.push(i) && clock.now()));
  clock.startAuto();
  const times = await Promise.all(all);
  clock.stopAuto();
  expect(served).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  expect(times).toEqual([0, 0, 0, 0, 0, 500, 1000, 1500, 2000]);
});

test('a waiter that aborts leaves the queue without a token', async () => {
  const clock = new VirtualClock(0);
  const bucket = new TokenBucket(clock, 1, 1);
  await bucket.take();
  const controller = new AbortController();
  const waiting = bucket.take(controller.signal);
  controller.abort();
  await expect(waiting).rejects.toThrow();
  await clock.advance(1000);
  expect(bucket.available()).toBe(1);
});

test('EC2 actions map to EC2’s buckets; GetConsoleOutput also draws from its own small budget', async () => {
  expect(categoryOf('RunInstances')).toBe('run-instances');
  expect(categoryOf('DescribeInstances')).toBe('non-mutating');
  expect(categoryOf('GetConsoleOutput')).toBe('non-mutating');
  expect(categoryOf('TerminateInstances')).toBe('mutating');
  const clock = new VirtualClock(0);
  const limiter = new RegionLimiter(clock);
  clock.startAuto();
  const times = await Promise.all(
    Array.from({ length: 6 }, () => limiter.acquire('GetConsoleOutput').then(() => clock.now())),
  );
  clock.stopAuto();
  expect(times).toEqual([0, 0, 0, 0, 500, 1000]);
});

test('the slot queue runs `limit` at once and tells waiters how many are ahead', async () => {
  const queue = new SlotQueue(2);
  const signal = new AbortController().signal;
  const a = await queue.acquire('k', signal);
  const b = await queue.acquire('k', signal);
  const positions: Record<string, number[]> = { c: [], d: [] };
  const c = queue.acquire('k', signal, (n) => positions.c!.push(n));
  const cancelD = new AbortController();
  const d = queue.acquire('k', cancelD.signal, (n) => positions.d!.push(n));
  const e = queue.acquire('k', signal);
  expect(queue.snapshot('k')).toEqual({ running: 2, waiting: 3 });
  cancelD.abort();
  await expect(d).rejects.toThrow();
  a();
  const releaseC = await c;
  expect(positions).toEqual({ c: [0], d: [1] });
  b();
  releaseC();
  (await e)();
  expect(queue.snapshot('k')).toEqual({ running: 0, waiting: 0 });
});

test('a raised limit lets waiting bakes in at once; a lowered one and occupied slots hold the next back', async () => {
  const queue = new SlotQueue(1);
  const signal = new AbortController().signal;
  const first = await queue.acquire('k', signal);
  const granted: string[] = [];
  const second = queue.acquire('k', signal).then((release) => (granted.push('second'), release));
  const third = queue.acquire('k', signal).then((release) => (granted.push('third'), release));
  queue.setLimit(3);
  const [releaseSecond, releaseThird] = await Promise.all([second, third]);
  expect(granted).toEqual(['second', 'third']);
  expect(queue.snapshot('k')).toEqual({ running: 3, waiting: 0 });

  queue.setLimit(1);
  const resumed = queue.occupy('k');
  const fourth = queue.acquire('k', signal).then((release) => (granted.push('fourth'), release));
  first();
  releaseSecond();
  releaseThird();
  await Promise.resolve();
  // Still one over: the resumed bake's slot counts.
  expect(granted).not.toContain('fourth');
  expect(queue.snapshot('k')).toEqual({ running: 1, waiting: 1 });
  resumed();
  (await fourth)();
  expect(granted.at(-1)).toBe('fourth');
  expect(queue.snapshot('k')).toEqual({ running: 0, waiting: 0 });
});
