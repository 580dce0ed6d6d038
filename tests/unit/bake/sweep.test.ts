import { afterEach, expect, test } from 'vitest';
import type { BakeEvent } from '../../../src/shared/bake';
import type { SweepCandidate } from '../../../src/main/services/bake';
import { BakeHarness, project, REGION } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const scriptRunning = (e: BakeEvent) =>
  e.type === 'step' && e.step === 'run-script' && e.status === 'running';

/** A builder whose process died mid-script: running, tagged, owned by nobody alive. */
async function orphanBuilder(): Promise<{ bakeId: string; instanceId: string }> {
  const { engine, kill } = h.killable();
  const died = new Promise<string>((resolve) =>
    engine.subscribe((e) => scriptRunning(e) && (kill(), resolve(e.bakeId))),
  );
  await engine.start(h.request(project({ name: 'lost', initScript: '#!/bin/sh\nsleep 120\n' })));
  const bakeId = await died;
  return { bakeId, instanceId: h.instanceOf(bakeId) };
}

test('sweep terminates builders no live bake owns, after confirmation, and leaves running bakes alone', async () => {
  h = await BakeHarness.create();
  const orphan = await orphanBuilder();
  const survivor = h.engine({}, h.survivorStore());
  const live = await survivor.start(
    h.request(project({ name: 'alive', initScript: '#!/bin/sh\nsleep 60\n' })),
  );
  await h.waitForEvent((e) => e.bakeId === live.id && scriptRunning(e));

  let shown: SweepCandidate[] = [];
  const report = await survivor.sweep({
    profile: 'sandbox',
    region: REGION,
    endpoint: h.sandbox.url,
    confirm: (instances) => {
      shown = instances;
      return Promise.resolve(true);
    },
  });
  expect(shown).toEqual([
    expect.objectContaining({
      instanceId: orphan.instanceId,
      bakeId: orphan.bakeId,
      project: 'lost',
      state: 'running',
    }),
  ]);
  expect(report).toMatchObject({
    confirmed: true,
    terminated: [orphan.instanceId],
    owned: [h.instanceOf(live.id)],
    failed: [],
  });
  expect(h.sim.instances().find((i) => i.instanceId === orphan.instanceId)?.state).toMatch(
    /shutting-down|terminated/,
  );

  expect((await survivor.waitForFinal(live.id)).status).toBe('succeeded');
  // Recovery later settles the dead bake's record: its builder is gone, so it cannot be resumed.
  expect((await survivor.recover()).bakes).toEqual([
    expect.objectContaining({ bakeId: orphan.bakeId, outcome: 'cleaned' }),
  ]);
  await h.expectNoLeaks();
});

test('without confirmation sweep only reports', async () => {
  h = await BakeHarness.create();
  const orphan = await orphanBuilder();
  const survivor = h.engine({}, h.survivorStore());
  const report = await survivor.sweep({
    profile: 'sandbox',
    region: REGION,
    endpoint: h.sandbox.url,
    confirm: () => Promise.resolve(false),
  });
  expect(report).toMatchObject({
    confirmed: false,
    terminated: [],
    found: [expect.objectContaining({ instanceId: orphan.instanceId })],
  });
  expect(h.sim.instances().find((i) => i.instanceId === orphan.instanceId)?.state).toBe('running');
  // Its builder still there, recovery carries the dead bake on to the end.
  expect((await survivor.recover()).bakes).toEqual([
    expect.objectContaining({ bakeId: orphan.bakeId, outcome: 'resumed' }),
  ]);
  expect((await survivor.waitForFinal(orphan.bakeId)).status).toBe('succeeded');
  await h.expectNoLeaks();
});

test('terminates only the builders picked, and nothing it was not shown', async () => {
  h = await BakeHarness.create();
  const first = await orphanBuilder();
  const second = await orphanBuilder();
  const survivor = h.engine({}, h.survivorStore());
  const report = await survivor.sweep({
    profile: 'sandbox',
    region: REGION,
    endpoint: h.sandbox.url,
    confirm: () => Promise.resolve([second.instanceId, 'i-0123456789abcdef0']),
  });
  expect(report.found.map((c) => c.instanceId).sort()).toEqual([first.instanceId, second.instanceId].sort());
  expect(report).toMatchObject({ confirmed: true, terminated: [second.instanceId], failed: [] });
  const stateOf = (id: string) => h.sim.instances().find((i) => i.instanceId === id)?.state;
  expect(stateOf(first.instanceId)).toBe('running');
  expect(stateOf(second.instanceId)).toMatch(/shutting-down|terminated/);
  await survivor.sweep({
    profile: 'sandbox',
    region: REGION,
    endpoint: h.sandbox.url,
    confirm: () => Promise.resolve(true),
  });
  await survivor.recover();
  await h.expectNoLeaks();
});
