import { afterEach, expect, test } from 'vitest';
import type { BakeEvent } from '../../../src/shared/bake';
import { BakeHarness, project } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const stepRunning = (step: string) => (e: BakeEvent) =>
  e.type === 'step' && e.step === step && e.status === 'running';

test('script failure (exit 3): failed with the exit code and the console tail, builder terminated', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({ initScript: '#!/bin/sh\necho "building"\necho "it broke here"\nexit 3\n' }),
  );
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({ step: 'run-script', code: 'SCRIPT_FAILED', exitCode: 3 });
  expect(record.error?.consoleTail?.some((l) => l.endsWith('it broke here'))).toBe(true);
  expect(record.cleanedUp).toEqual([`terminated ${record.instanceId}`]);
  expect(record.steps.find((s) => s.step === 'cleanup')?.status).toBe('done');
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('a script that hangs fails with TIMEOUT after completion.timeoutMinutes', async () => {
  h = await BakeHarness.create();
  h.sim.setScenario({ outcome: 'hang' });
  const p = project({ completion: { mode: 'wrapper', timeoutMinutes: 1, cloudInitClean: true } });
  const record = await h.bake(p);
  expect(record.error).toMatchObject({
    step: 'run-script',
    code: 'TIMEOUT',
    message: expect.stringContaining('1 minutes'),
  });
  const runScript = record.steps.find((s) => s.step === 'run-script')!;
  expect(runScript.endedAt! - runScript.startedAt!).toBeGreaterThanOrEqual(50_000);
  expect(record.error?.consoleTail?.length).toBeGreaterThan(0);
  await h.expectNoLeaks();
});

test('builder terminated by someone else during the script: failed, nothing imaged', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  h.when(stepRunning('run-script'), (e) => h.sim.terminateBehindBack(h.instanceOf(e.bakeId)));
  const record = await h.bake(project(), engine);
  expect(record.error).toMatchObject({
    step: 'run-script',
    code: 'AWS_ERROR',
    message: expect.stringMatching(/was (shutting-down|terminated)/),
  });
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('builder stopped by someone else during the script: failed, not imaged, terminated', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  // 20 s after launch the 60 s script is running, whenever the engine happens to look.
  h.when(stepRunning('wait-running'), (e) => {
    const instanceId = h.instanceOf(e.bakeId);
    void h.clock.sleep(20_000).then(() => h.sim.stopBehindBack(instanceId));
  });
  const record = await h.bake(project({ initScript: '#!/bin/sh\nsleep 60\n' }), engine);
  expect(record.error).toMatchObject({
    step: 'run-script',
    message: expect.stringContaining('Someone else stopped'),
  });
  expect(record.cleanedUp).toEqual([`terminated ${record.instanceId}`]);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('InsufficientInstanceCapacity for a moment: the launch waits and tries again', async () => {
  h = await BakeHarness.create();
  h.sim.injectFault({ action: 'RunInstances', fault: 'InsufficientInstanceCapacity' });
  const record = await h.bake();
  expect(record.status).toBe('succeeded');
  expect(
    h
      .eventsOf(record.id)
      .some((e) => e.type === 'step' && /no t3.micro capacity right now/.test(e.message ?? '')),
  ).toBe(true);
  await h.expectNoLeaks();
});

test('InsufficientInstanceCapacity that lasts: failed at launch with advice, nothing to clean', async () => {
  h = await BakeHarness.create();
  h.sim.injectFault({ action: 'RunInstances', fault: 'InsufficientInstanceCapacity', count: 3 });
  const record = await h.bake();
  expect(record.error).toMatchObject({
    step: 'launch',
    code: 'AWS_ERROR',
    message: expect.stringContaining('InsufficientInstanceCapacity'),
  });
  expect(record.cleanedUp).toEqual([]);
  expect(h.sim.instances()).toHaveLength(0);
  await h.expectNoLeaks();
});

test('a storm of throttling, 500s and lost answers: the bake still succeeds, with one builder and one image', async () => {
  h = await BakeHarness.create();
  h.sim.injectFault({ action: '*', fault: 'RequestLimitExceeded', count: 6 });
  h.sim.injectFault({ action: 'DescribeInstances', fault: 'InternalError', count: 4 });
  h.sim.injectFault({ action: 'DescribeImages', fault: 'Unavailable', count: 3 });
  // The launch happens but its answer is lost: the retry's ClientToken must return the same instance.
  h.sim.injectFault({ action: 'RunInstances', fault: 'DropResponse' });
  // The image is created but the answer is lost: the retry meets its own name and adopts the image.
  h.sim.injectFault({ action: 'CreateImage', fault: 'DropResponse' });
  h.sim.injectFault({ action: 'GetConsoleOutput', fault: 'DropConnection', count: 2 });
  h.sim.injectFault({ action: 'TerminateInstances', fault: 'InternalError', count: 2 });
  const record = await h.bake();
  expect(record.status).toBe('succeeded');
  expect(h.sim.faults()).toEqual([]);
  expect(h.sim.instances()).toHaveLength(1);
  expect(h.sim.images()).toHaveLength(1);
  expect(h.sim.calls({ action: 'RunInstances' }).length).toBeGreaterThanOrEqual(2);
  await h.expectNoLeaks();
});

test('an image that ends `failed` fails the bake with EC2’s reason; image, snapshots and builder are removed', async () => {
  h = await BakeHarness.create();
  h.sim.setScenario({ image: 'failed' });
  const record = await h.bake();
  expect(record.error).toMatchObject({
    step: 'wait-image',
    code: 'AWS_ERROR',
    message: expect.stringContaining('failed'),
  });
  expect(record.cleanedUp).toContain(`terminated ${record.instanceId}`);
  expect(record.cleanedUp).toContain(`deregistered ${record.imageId}`);
  await h.expectNoLeaks();
});

test('when the journal cannot be written (disk full), the bake fails and still removes its builder', async () => {
  let full = false;
  h = await BakeHarness.create({
    wrapStore: (store) => {
      const appendEvents: typeof store.bakes.appendEvents = (...args) =>
        full
          ? Promise.reject(new Error('ENOSPC: no space left on device'))
          : store.bakes.appendEvents(...args);
      return {
        ...store,
        bakes: {
          create: (event, opts) => store.bakes.create(event, opts),
          appendEvents,
          inputs: (id) => store.bakes.inputs(id),
          flush: () => store.bakes.flush(),
          get: (id) => store.bakes.get(id),
          show: (id) => store.bakes.show(id),
          list: (opts) => store.bakes.list(opts),
          orphans: () => store.bakes.orphans(),
          claim: (id, onLost) => store.bakes.claim(id, onLost),
          liveOwner: (id) => store.bakes.liveOwner(id),
          readConsole: (id, opts) => store.bakes.readConsole(id, opts),
        },
      };
    },
  });
  const engine = h.engine();
  h.when(stepRunning('run-script'), () => (full = true));
  const record = await h.bake(project(), engine);
  expect(record.status).toBe('failed');
  expect(record.message).toContain('ENOSPC');
  expect(h.sim.calls({ action: 'TerminateInstances' })).toHaveLength(1);
  await h.expectNoLeaks();
});
