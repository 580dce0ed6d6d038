import { afterEach, expect, test } from 'vitest';
import type { BakeEvent, BakeRecord } from '../../../src/shared/bake';
import { reduceBakeEvents } from '../../../src/shared/bake-reducer';
import type { CallRecord } from '../../../src/sandbox';
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { resolveBaseImage } from '../../../src/main/services/aws/base-image';
import { callAws } from '../../../src/main/services/bake/aws-call';
import { RegionLimiter } from '../../../src/main/services/bake/rate-limiter';
import { TAG_BAKE_ID } from '../../../src/protocol/builder-tags';
import { BakeHarness, project, REGION } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const variant = (i: number) =>
  project({ name: `app-${i}`, initScript: `#!/bin/sh\necho "app ${i}"\nsleep 8\n` });

/** The shared poller's calls (filtered by id), grouped by the virtual time of the tick that made them. */
function pollsPerTick(calls: CallRecord[], filter: string): { ticks: number; max: number; total: number } {
  const perTick = new Map<number, number>();
  for (const call of calls) {
    if (call.params['Filter.1.Name'] !== filter) continue;
    perTick.set(call.time, (perTick.get(call.time) ?? 0) + 1);
  }
  const counts = [...perTick.values()];
  return { ticks: counts.length, max: Math.max(0, ...counts), total: counts.reduce((a, b) => a + b, 0) };
}

type Tally = ReturnType<typeof pollsPerTick>;

async function bakeMany(count: number): Promise<{
  records: BakeRecord[];
  instances: Tally;
  images: Tally;
  snapshots: Tally;
  throttled: number;
}> {
  h = await BakeHarness.create({ perRegion: count });
  const engine = h.engine();
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) => engine.start(h.request(variant(i)))),
  );
  const records = await Promise.all(started.map((r) => engine.waitForFinal(r.id)));
  const result = {
    records,
    instances: pollsPerTick(h.sim.calls({ action: 'DescribeInstances' }), 'instance-id'),
    images: pollsPerTick(h.sim.calls({ action: 'DescribeImages' }), 'image-id'),
    snapshots: pollsPerTick(h.sim.calls({ action: 'DescribeSnapshots' }), `tag:${TAG_BAKE_ID}`),
    throttled: h.sim.calls().filter((c) => c.outcome === 'RequestLimitExceeded').length,
  };
  await h.expectNoLeaks();
  await h.close();
  return result;
}

test('10 concurrent bakes in one region make no more Describe calls per tick than one bake does', async () => {
  const one = await bakeMany(1);
  const ten = await bakeMany(10);
  expect(one.records.every((r) => r.status === 'succeeded')).toBe(true);
  expect(ten.records.every((r) => r.status === 'succeeded')).toBe(true);
  expect(ten.throttled).toBe(0);
  expect(one.instances.max).toBe(1);
  expect(ten.instances.max).toBe(1);
  expect(one.images.max).toBe(1);
  expect(ten.images.max).toBe(1);
  expect(one.snapshots.max).toBe(1);
  expect(ten.snapshots.max).toBe(1);
  // Each bake waits on its own schedule, yet ten share the calls: not ten times one bake's.
  expect(ten.snapshots.total).toBeLessThanOrEqual(one.snapshots.total * 3);
  // Ten bakes in parallel take about as long as one, so they make about as many polls in all.
  expect(ten.instances.total).toBeLessThanOrEqual(one.instances.total * 1.5);
  console.info(
    `polls — 1 bake: ${one.instances.total} DescribeInstances, ${one.snapshots.total} DescribeSnapshots, ${one.images.total} DescribeImages; ` +
      `10 bakes: ${ten.instances.total}, ${ten.snapshots.total}, ${ten.images.total}; max 1 of each per tick`,
  );
});

test('the client-side buckets keep a crowd of calls inside EC2’s: not one RequestLimitExceeded', async () => {
  h = await BakeHarness.create();
  const { clients } = await h.connect({ profile: 'sandbox', region: REGION });
  const scope = {
    clock: h.clock,
    limiter: new RegionLimiter(h.clock),
    signal: new AbortController().signal,
    onCall: () => undefined,
  };
  const imageId = (await resolveBaseImage(clients, project().baseImage)).imageId;
  const start = h.clock.now();
  const launches = await Promise.all(
    Array.from({ length: 30 }, () =>
      callAws(scope, 'RunInstances', (o) =>
        clients.ec2.send(
          new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
          o,
        ),
      ),
    ),
  );
  await Promise.all([
    ...Array.from({ length: 250 }, () =>
      callAws(scope, 'DescribeInstances', (o) =>
        clients.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }), o),
      ),
    ),
    ...launches.map((out) =>
      callAws(scope, 'TerminateInstances', (o) =>
        clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [out.Instances![0]!.InstanceId!] }), o),
      ),
    ),
  ]);
  expect(h.sim.calls().filter((c) => c.outcome !== 'ok')).toEqual([]);
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(30);
  // 30 launches from a bucket of 5 refilling at 2/s take (30 - 5) / 2 s of (virtual) time: the limiter paced them.
  expect(h.clock.now() - start).toBeGreaterThanOrEqual(12_500);
});

test('beyond the per-region limit bakes wait, shown as queued, and never run more builders than allowed', async () => {
  h = await BakeHarness.create({ perRegion: 1 });
  const engine = h.engine();
  let most = 0;
  engine.subscribe(() => {
    const live = h.sim.instances().filter((i) => !['shutting-down', 'terminated'].includes(i.state)).length;
    most = Math.max(most, live);
  });
  const started = await Promise.all(Array.from({ length: 3 }, (_, i) => engine.start(h.request(variant(i)))));
  const records = await Promise.all(started.map((r) => engine.waitForFinal(r.id)));
  expect(records.every((r) => r.status === 'succeeded')).toBe(true);
  expect(most).toBe(1);
  const queued = h.events.filter((e) => e.type === 'status' && e.status === 'queued');
  expect(new Set(queued.map((e) => e.bakeId)).size).toBe(2);
  await h.expectNoLeaks();
});

test('an identical bake joins the running one: one builder, one image, the same result', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const leader = await engine.start(h.request(project()));
  const twin = await engine.start(h.request(project(), { trigger: 'webhook' }));
  const [a, b] = await Promise.all([engine.waitForFinal(leader.id), engine.waitForFinal(twin.id)]);
  expect(a.status).toBe('succeeded');
  expect(b).toMatchObject({
    status: 'succeeded',
    joinedTo: a.id,
    imageId: a.imageId,
    version: a.version,
    snapshotIds: a.snapshotIds,
  });
  expect(b.steps.find((s) => s.step === 'run-script')?.status).toBe('done');
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  expect(h.sim.images()).toHaveLength(1);
  expect(await h.store.versions.list('web')).toHaveLength(1);
  await h.expectNoLeaks();
});

test('a joined bake shows as joined while it runs: in its events, its journal and other processes', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const leader = await engine.start(h.request(project()));
  const twin = await engine.start(h.request(project()));
  const joined = await h.waitForEvent((e) => e.bakeId === twin.id && e.type === 'status' && !!e.joinedTo);
  expect(joined).toMatchObject({ type: 'status', joinedTo: leader.id });
  // Mid-bake, the leader still running: the record as the app, the CLI or another process rebuilds it.
  expect((await engine.get(leader.id))?.status).toBe('running');
  expect(await engine.get(twin.id)).toMatchObject({ status: 'running', joinedTo: leader.id });
  const elsewhere = h.survivorStore();
  expect(await elsewhere.bakes.get(twin.id)).toMatchObject({ joinedTo: leader.id });
  const journaled: BakeEvent[] = [];
  for await (const event of elsewhere.bakes.readEvents(twin.id)) journaled.push(event);
  expect(reduceBakeEvents(journaled)).toMatchObject({ joinedTo: leader.id });
  await engine.waitForFinal(twin.id);
  await h.expectNoLeaks();
});

test('cancelling a joined bake leaves its leader alone', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  // Time stands still until the twin has joined and been cancelled: on a loaded machine auto mode could
  // otherwise carry the leader to its end first, and there would be nothing left to join.
  h.clock.stopAuto();
  const leader = await engine.start(h.request(project()));
  const twin = await engine.start(h.request(project()));
  h.when(
    (e) => e.bakeId === twin.id && e.type === 'status' && /Joined/.test(e.message ?? ''),
    () => {
      void engine.cancel(twin.id);
      h.clock.startAuto();
    },
  );
  const [a, b] = await Promise.all([engine.waitForFinal(leader.id), engine.waitForFinal(twin.id)]);
  expect(a.status).toBe('succeeded');
  expect(b).toMatchObject({ status: 'cancelled', cleanedUp: [] });
  await h.expectNoLeaks();
});

test('identical to a finished bake whose image still exists: CONFLICT before anything is recorded, unless forced', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const first = await h.bake(project(), engine);
  const callsBefore = h.sim.calls().length;
  const again = engine.start(h.request(project()));
  await expect(again).rejects.toMatchObject({
    code: 'CONFLICT',
    message: expect.stringContaining(first.imageId!),
    details: { reason: 'identical', imageId: first.imageId, version: '1', bakeId: first.id },
  });
  // Nothing in the history, no builder: only the base image and the version's image were looked up.
  expect((await engine.list()).map((r) => r.id)).toEqual([first.id]);
  expect(
    h.sim
      .calls()
      .slice(callsBefore)
      .map((c) => c.action),
  ).toEqual(['GetParameter', 'DescribeImages', 'DescribeImages']);
  // A project that differs in anything bakes as usual.
  const other = await engine.start(h.request(project({ initScript: '#!/bin/sh\necho other\n' })));
  expect((await engine.waitForFinal(other.id)).status).toBe('succeeded');
  const forced = await h.bake(project(), engine, { force: true });
  expect(forced).toMatchObject({ status: 'succeeded', version: 3 });
  expect(forced.imageId).not.toBe(first.imageId);
  await h.expectNoLeaks();
});
