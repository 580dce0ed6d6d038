import { afterEach, expect, test } from 'vitest';
import type { BakeEvent, BakeStep } from '../../../src/shared/bake';
import { BakeHarness, project } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const stepRunning = (step: BakeStep) => (e: BakeEvent) =>
  e.type === 'step' && e.step === step && e.status === 'running';
const CANCELLABLE: BakeStep[] = [
  'preflight',
  'launch',
  'wait-running',
  'run-script',
  'stop',
  'create-image',
  'wait-image',
  'terminate',
];

test.each(CANCELLABLE)('cancel during %s: cancelled once everything it made is gone', async (step) => {
  // A long stop, so the engine sees the builder "stopping" and the stop step has something to wait for.
  h = await BakeHarness.create({ timings: { stoppingMs: 60_000 } });
  const engine = h.engine();
  h.when(stepRunning(step), (e) => void engine.cancel(e.bakeId));
  const record = await h.bake(project(), engine);
  expect(record.status).toBe('cancelled');
  expect(record.error).toBeUndefined();
  expect(record.steps.find((s) => s.step === step)?.status).toBe('cancelled');
  const later = record.steps.filter((s) => CANCELLABLE.indexOf(s.step) > CANCELLABLE.indexOf(step));
  expect(later.every((s) => s.status === 'skipped')).toBe(true);
  if (CANCELLABLE.indexOf(step) >= CANCELLABLE.indexOf('wait-running')) {
    expect(record.cleanedUp).toContain(`terminated ${record.instanceId}`);
  }
  if (step === 'wait-image' || step === 'terminate')
    expect(record.cleanedUp).toContain(`deregistered ${record.imageId}`);
  await h.expectNoLeaks();
});

test('cancel while queued for a slot: nothing launched, the other bake unaffected', async () => {
  h = await BakeHarness.create({ perRegion: 1 });
  const engine = h.engine();
  const first = await engine.start(h.request(project(), { trigger: 'app' }));
  const second = await engine.start(
    h.request(project({ name: 'api', initScript: '#!/bin/sh\necho api\n' }), { trigger: 'app' }),
  );
  await h.waitForEvent((e) => e.bakeId === second.id && e.type === 'status' && e.status === 'queued');
  await engine.cancel(second.id);
  const [a, b] = await Promise.all([engine.waitForFinal(first.id), engine.waitForFinal(second.id)]);
  expect(a.status).toBe('succeeded');
  expect(b).toMatchObject({ status: 'cancelled', cleanedUp: [] });
  expect(b.instanceId).toBeUndefined();
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  await h.expectNoLeaks();
});

test('a cancel that arrives while the version is being recorded is too late: the bake succeeds', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  h.when(stepRunning('record'), (e) => void engine.cancel(e.bakeId));
  const record = await h.bake(project(), engine);
  expect(record).toMatchObject({ status: 'succeeded', version: 1 });
  await h.expectNoLeaks();
});
