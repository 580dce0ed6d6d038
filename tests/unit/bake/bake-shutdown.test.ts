import { afterEach, expect, test } from 'vitest';
import type { BakeEvent, BakeStep } from '../../../src/shared/bake';
import { BakeHarness, project } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const stepRunning = (bakeId: string, step: BakeStep) => (e: BakeEvent) =>
  e.bakeId === bakeId && e.type === 'step' && e.step === step && e.status === 'running';

test('shutdown leaves launched bakes for the next start without waiting on EC2, and cancels the rest', async () => {
  h = await BakeHarness.create({ perRegion: 2, timings: { imagePendingMs: 60_000 } });
  const engine = h.engine();
  const scripting = await engine.start(
    h.request(project({ name: 'long', initScript: '#!/bin/sh\nsleep 60\n' })),
  );
  const imaging = await engine.start(h.request(project({ name: 'quick' })));
  await h.waitForEvent(stepRunning(scripting.id, 'run-script'));
  await h.waitForEvent(stepRunning(imaging.id, 'wait-image'));
  const queued = await engine.start(
    h.request(project({ name: 'third', initScript: '#!/bin/sh\necho third\n' })),
  );
  await h.waitForEvent((e) => e.bakeId === queued.id && e.type === 'status' && e.status === 'queued');

  await engine.shutdown();
  // It did not wait for the image (pending for another minute) nor terminate anything.
  expect(h.sim.images().map((i) => i.state)).toEqual(['pending']);
  expect(h.sim.calls({ action: 'TerminateInstances' })).toEqual([]);
  for (const id of [scripting.id, imaging.id]) {
    expect(await h.store.bakes.get(id)).toMatchObject({
      status: 'running',
      message: expect.stringContaining('the next start carries it on'),
    });
    expect((await h.store.bakes.liveOwner(id)).live).toBe(false);
  }
  expect(await h.store.bakes.get(queued.id)).toMatchObject({
    status: 'cancelled',
    message: expect.stringContaining('shutting down'),
  });
  await expect(engine.start(h.request())).rejects.toThrow(/shutting down/);

  const next = h.engine();
  expect((await next.recover()).bakes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ bakeId: scripting.id, outcome: 'resumed' }),
      expect.objectContaining({ bakeId: imaging.id, outcome: 'resumed' }),
    ]),
  );
  expect(await next.waitForFinal(scripting.id)).toMatchObject({ status: 'succeeded', version: 1 });
  expect(await next.waitForFinal(imaging.id)).toMatchObject({ status: 'succeeded', version: 1 });
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(2);
  await h.expectNoLeaks();
});

test('a cleanup cut short by shutdown is finished by the next start', async () => {
  h = await BakeHarness.create({ timings: { imagePendingMs: 60_000 } });
  const engine = h.engine();
  const started = await engine.start(h.request());
  await h.waitForEvent(stepRunning(started.id, 'wait-image'));
  await engine.cancel(started.id);
  // Cleanup terminates the builder, then waits for the image to leave "pending" to deregister it.
  await h.waitForEvent((e) => e.type === 'cleanup' && e.action.startsWith('terminated'));
  await engine.shutdown();
  expect(await h.store.bakes.get(started.id)).toMatchObject({
    status: 'cleaning-up',
    message: expect.stringContaining('carries its cleanup on'),
  });
  expect(h.sim.images().map((i) => i.state)).toEqual(['pending']);

  const next = h.engine();
  expect((await next.recover()).bakes).toEqual([
    expect.objectContaining({ bakeId: started.id, outcome: 'cleaned' }),
  ]);
  expect((await next.get(started.id))?.status).toBe('interrupted');
  await h.expectNoLeaks();
});

test('shutdown with cancel cancels every bake and waits for its cleanup', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const started = await engine.start(h.request());
  await h.waitForEvent(stepRunning(started.id, 'run-script'));
  await engine.shutdown({ cancel: true });
  expect(await h.store.bakes.get(started.id)).toMatchObject({
    status: 'cancelled',
    cleanedUp: [`terminated ${h.instanceOf(started.id)}`],
  });
  expect((await h.engine().recover()).bakes).toEqual([]);
  await h.expectNoLeaks();
});
