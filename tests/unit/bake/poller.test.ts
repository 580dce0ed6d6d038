import type { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RegionPoller, type Look, type Watcher } from '../../../src/main/services/bake/poller';
import { RegionLimiter } from '../../../src/main/services/bake/rate-limiter';
import { VirtualClock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';

/** What the poller sent: the action and the ids (filter values) of each call, at the clock's time. */
interface Sent {
  at: number;
  action: string;
  keys: string[];
}

let clock: VirtualClock;
let sent: Sent[];
let poller: RegionPoller;

/** Answers every Describe with each asked-for instance/image "pending" and no snapshots. */
function fakeEc2(): EC2Client {
  const send = (command: { constructor: { name: string }; input: { Filters?: { Values?: string[] }[] } }) => {
    const keys = command.input.Filters?.[0]?.Values ?? [];
    const action = command.constructor.name.replace(/Command$/, '');
    sent.push({ at: clock.now(), action, keys });
    if (action === 'DescribeInstances')
      return Promise.resolve({
        Reservations: [{ Instances: keys.map((id) => ({ InstanceId: id, State: { Name: 'pending' } })) }],
      });
    if (action === 'DescribeImages')
      return Promise.resolve({ Images: keys.map((id) => ({ ImageId: id, State: 'pending' })) });
    return Promise.resolve({ Snapshots: [] });
  };
  return { send } as unknown as EC2Client;
}

beforeEach(() => {
  clock = new VirtualClock(0);
  sent = [];
  poller = new RegionPoller({
    ec2: fakeEc2(),
    clock,
    limiter: new RegionLimiter(clock),
    intervalMs: 2_000,
    logger: silentLogger,
  });
  clock.startAuto();
});

afterEach(() => {
  poller.close();
  clock.stopAuto();
});

/** A watcher that wants looks at the given times (then none), each allowed `slackMs` early. */
function wants(times: number[], slackMs = 0) {
  const seen: number[] = [];
  let index = 0;
  const watcher: Watcher<unknown> = {
    onCall: () => undefined,
    onObservation: () => {
      seen.push(clock.now());
      // A look taken early (within the slack) counts as the look wanted.
      while (index < times.length && times[index]! - slackMs <= clock.now()) index++;
    },
    nextLook: (): Look =>
      index < times.length ? { at: times[index]!, slackMs } : { at: Number.POSITIVE_INFINITY, slackMs: 0 },
  };
  return { watcher, seen };
}

const settle = () => clock.sleep(1_000_000);

test('a tick with nobody due makes no call: one look at 60 s is one call, at 60 s', async () => {
  const a = wants([60_000]);
  poller.watchInstance('i-a', a.watcher);
  await settle();
  expect(sent).toEqual([{ at: 60_000, action: 'DescribeInstances', keys: ['i-a'] }]);
  expect(a.seen).toEqual([60_000]);
});

test('one call per kind per tick, shared by whoever is due or may come early; ticks at least a tick apart', async () => {
  const a = wants([30_000, 40_000]);
  const b = wants([33_000], 5_000);
  const c = wants([30_500]);
  const image = wants([30_000]);
  poller.watchInstance('i-a', a.watcher);
  poller.watchInstance('i-b', b.watcher);
  poller.watchInstance('i-c', c.watcher);
  poller.watchImage('ami-1', image.watcher);
  await settle();
  expect(sent).toEqual([
    // b (due at 33 s, 5 s of slack) rides along at 30 s; c, due half a second later, waits for the next tick.
    { at: 30_000, action: 'DescribeInstances', keys: ['i-a', 'i-b'] },
    { at: 30_000, action: 'DescribeImages', keys: ['ami-1'] },
    { at: 32_000, action: 'DescribeInstances', keys: ['i-c'] },
    { at: 40_000, action: 'DescribeInstances', keys: ['i-a'] },
  ]);
});

test('a look that may come early rides along only with a call of its kind someone is due for', async () => {
  // The image is due at 30 s; the snapshots could come 10 s early, at 30 s, but nobody else wants a
  // DescribeSnapshots then: they wait for their own time instead of spending a call at the image's tick.
  const image = wants([30_000]);
  const snapshots = wants([38_000], 10_000);
  poller.watchImage('ami-1', image.watcher);
  poller.watchSnapshots('bake-1', snapshots.watcher);
  await settle();
  expect(sent).toEqual([
    { at: 30_000, action: 'DescribeImages', keys: ['ami-1'] },
    { at: 38_000, action: 'DescribeSnapshots', keys: ['bake-1'] },
  ]);
});

test('a watcher whose look moves earlier wakes the poller to plan again', async () => {
  let at = 600_000;
  const seen: number[] = [];
  poller.watchInstance('i-a', {
    onCall: () => undefined,
    onObservation: () => {
      seen.push(clock.now());
      at = Number.POSITIVE_INFINITY;
    },
    nextLook: () => ({ at, slackMs: 0 }),
  });
  await clock.sleep(10_000);
  at = 15_000;
  poller.wake();
  await settle();
  expect(seen).toEqual([15_000]);
});

test('an unwatched resource stops being polled, and an idle poller leaves no timer behind', async () => {
  const a = wants([10_000, 20_000, 30_000]);
  const stop = poller.watchInstance('i-a', a.watcher);
  await clock.sleep(15_000);
  stop();
  await settle();
  expect(sent.map((s) => s.at)).toEqual([10_000]);
  expect(poller.watching).toBe(0);
  expect(clock.pendingSleeps).toBe(0);
});
