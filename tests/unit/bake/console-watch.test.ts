import { afterEach, expect, test } from 'vitest';
import type { BakeEvent } from '../../../src/shared/bake';
import { BakeHarness, project } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const consoleReads = () => h.sim.calls({ action: 'GetConsoleOutput' }).length;
const isStep = (bakeId: string, step: string, status: string) => (e: BakeEvent) =>
  e.bakeId === bakeId && e.type === 'step' && e.step === step && e.status === status;
const long = project({ initScript: '#!/bin/sh\necho "starting"\nsleep 300\necho "finished"\n' });

test('nobody watching: the console is read once, after the builder powered off, and the log is complete', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(project());
  expect(record.status).toBe('succeeded');
  expect(consoleReads()).toBe(1);
  const log = await h.store.bakes.readConsole(record.id);
  for (const text of ['installing', 'ready', 'done exit=0', 'reboot: Power down'])
    expect(log.some((line) => line.includes(text))).toBe(true);
  // One builder, one image: the whole bake is a handful of calls (it was over a hundred at one per 2 s).
  expect(h.sim.calls().length).toBeLessThanOrEqual(15);
  await h.expectNoLeaks();
});

test('a watched bake streams its console while the script runs, and stops once released', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const started = await engine.start(h.request(long));
  const release = engine.watchConsole(started.id);
  const starting = await h.waitForEvent(
    (e) => e.bakeId === started.id && e.type === 'console' && e.lines.some((l) => l.endsWith('starting')),
  );
  // Seen live: the script still has minutes to run.
  expect(starting.type).toBe('console');
  expect(h.eventsOf(started.id).some(isStep(started.id, 'run-script', 'done'))).toBe(false);
  const streamed = consoleReads();
  expect(streamed).toBeGreaterThanOrEqual(1);
  release();
  const record = await engine.waitForFinal(started.id);
  expect(record.status).toBe('succeeded');
  // Released: only the engine's own read once the builder was down (the one in flight may finish too).
  expect(consoleReads()).toBeLessThanOrEqual(streamed + 2);
  await h.expectNoLeaks();
});

test('a watch lapses unless renewed, and the same holder renews instead of adding a watch', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const started = await engine.start(h.request(long));
  await h.waitForEvent(isStep(started.id, 'wait-running', 'running'));
  engine.watchConsole(started.id, { holder: 'window:1', leaseMs: 30_000 });
  const renewed = engine.watchConsole(started.id, { holder: 'window:1', leaseMs: 30_000 });
  await h.waitForEvent((e) => e.bakeId === started.id && e.type === 'console');
  const record = await engine.waitForFinal(started.id);
  expect(record.status).toBe('succeeded');
  // The script ran for 5 minutes; the console was streamed for half a minute of it, at most once a 2 s
  // tick, plus the engine's own read at the end.
  const reads = consoleReads();
  expect(reads).toBeGreaterThan(2);
  expect(reads).toBeLessThanOrEqual(30_000 / 2_000 + 1);
  renewed();
  await h.expectNoLeaks();
});

test('a watched script that fails is failed with its exit code and tail, its builder terminated', async () => {
  h = await BakeHarness.create({ timings: { stoppingMs: 60_000 } });
  const engine = h.engine();
  const started = await engine.start(
    h.request(project({ initScript: '#!/bin/sh\necho "compiling"\nsleep 60\necho "error: no"\nexit 2\n' })),
  );
  engine.watchConsole(started.id);
  const record = await engine.waitForFinal(started.id);
  expect(record.error).toMatchObject({ step: 'run-script', code: 'SCRIPT_FAILED', exitCode: 2 });
  expect(record.error?.consoleTail?.some((l) => l.endsWith('error: no'))).toBe(true);
  // The (version 2) builder was powering off by itself; it was terminated without waiting for "stopped".
  expect(record.cleanedUp).toEqual([`terminated ${record.instanceId}`]);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('a script that powers the machine off itself is not a success: failed, not imaged', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({ initScript: '#!/bin/sh\necho "half-way"\nsudo poweroff\necho "never"\n' }),
  );
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({
    step: 'run-script',
    code: 'SCRIPT_FAILED',
    message: expect.stringContaining('powered off before the init script finished'),
  });
  expect(record.error?.consoleTail?.some((l) => l.endsWith('half-way'))).toBe(true);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('on a Xen type (no Latest, output posted late) a clean poweroff waits for the marker instead of failing', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(project({ instanceType: 't2.micro' }));
  expect(record.status).toBe('succeeded');
  const reads = h.sim.calls({ action: 'GetConsoleOutput' });
  // Preflight read the type's hypervisor: buffered reads from the start, the first still without the marker.
  expect(reads.every((r) => r.outcome === 'ok' && r.params.Latest === undefined)).toBe(true);
  expect(reads.length).toBeGreaterThanOrEqual(2);
  expect(record.steps.find((s) => s.step === 'preflight')?.message).toContain('t2.micro is a Xen type');
  await h.expectNoLeaks();
});

test('a Xen console that shows up minutes after the stop is read until the power-down, not three times', async () => {
  h = await BakeHarness.create();
  // m4.large: the Sandbox posts its console six minutes after each state change, as reported on AWS.
  const record = await h.bake(project({ instanceType: 'm4.large' }));
  expect(record.status).toBe('succeeded');
  const reads = h.sim.calls({ action: 'GetConsoleOutput' });
  expect(reads.every((r) => r.params.Latest === undefined)).toBe(true);
  // Every half minute from the stop until the console had caught up: bounded, not a poll storm.
  expect(reads.length).toBeGreaterThan(3);
  expect(reads.length).toBeLessThanOrEqual(6 * 2 + 3);
  const log = await h.store.bakes.readConsole(record.id);
  expect(log.some((line) => line.includes('reboot: Power down'))).toBe(true);
  await h.expectNoLeaks();
});

test('watching a joined bake streams its leader’s builder', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const leader = await engine.start(h.request(long));
  const twin = await engine.start(h.request(long));
  await h.waitForEvent((e) => e.bakeId === twin.id && e.type === 'status' && !!e.joinedTo);
  const release = engine.watchConsole(twin.id);
  const mirrored = await h.waitForEvent((e) => e.bakeId === twin.id && e.type === 'console');
  expect(mirrored.type === 'console' && mirrored.lines.length).toBeGreaterThan(0);
  expect(h.eventsOf(leader.id).some(isStep(leader.id, 'run-script', 'done'))).toBe(false);
  release();
  expect((await engine.waitForFinal(twin.id)).status).toBe('succeeded');
  await h.expectNoLeaks();
});

test('watching a bake this engine does not run is a harmless no-op', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const release = engine.watchConsole('bk_00000000000000000000');
  release();
  expect(consoleReads()).toBe(0);
});
