import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import { inspectUserData, wrapperHeader } from '../../../src/protocol/user-data';
import type { BakeEvent, BakeStep } from '../../../src/shared/bake';
import { BakeHarness, project, REGION } from './harness';

let h: BakeHarness;
afterEach(async () => h.close());

const stepRunning = (step: BakeStep) => (e: BakeEvent) =>
  e.type === 'step' && e.step === step && e.status === 'running';

/** What recovery makes of a bake whose process died during each step. */
const EXPECTED: [BakeStep, 'interrupted' | 'resumed'][] = [
  // Nothing launched yet: resuming would be starting a new bake nobody asked for again.
  ['preflight', 'interrupted'],
  // RunInstances went out just before the crash, its answer never journaled: the builder is found by tag.
  ['launch', 'resumed'],
  ['wait-running', 'resumed'],
  // The script keeps running on the same builder; the new process waits for it there.
  ['run-script', 'resumed'],
  ['stop', 'resumed'],
  // Same for the image: CreateImage went out, its id never reached the journal, the tag finds it.
  ['create-image', 'resumed'],
  ['wait-image', 'resumed'],
  ['terminate', 'resumed'],
  ['record', 'resumed'],
];

async function killDuring(
  step: BakeStep,
  p = project(),
  options: { dropLateRequests?: boolean; when?: (e: BakeEvent) => boolean; watch?: boolean } = {},
) {
  const { engine, kill } = h.killable(options);
  const died = new Promise<string>((resolve) => {
    const off = engine.subscribe((e) => {
      if (!(options.when ?? stepRunning(step))(e)) return;
      kill();
      off();
      resolve(e.bakeId);
    });
  });
  const started = await engine.start(h.request(p, { trigger: 'cli' }));
  if (options.watch) engine.watchConsole(started.id);
  return died;
}

test.each(EXPECTED)(
  'killed during %s: recover() in a new process → %s, nothing leaks',
  async (step, outcome) => {
    h = await BakeHarness.create();
    // Like `quadraxis bake --file`: the project is in no store; the bake's own inputs are all recovery has.
    const bakeId = await killDuring(step);
    expect((await h.store.bakes.get(bakeId))?.status).toBe('running');

    const survivor = h.engine({}, h.survivorStore());
    const report = await survivor.recover();
    expect(report.bakes).toEqual([expect.objectContaining({ bakeId, outcome })]);
    const record = await survivor.waitForFinal(bakeId);
    if (outcome === 'resumed') {
      expect(record).toMatchObject({ status: 'succeeded', cleanedUp: [] });
      expect(await h.store.versions.latest('web')).toMatchObject({ bakeId, imageId: record.imageId });
      expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
      expect(h.sim.images().map((i) => i.imageId)).toEqual([record.imageId]);
    } else {
      expect(record.status).toBe('interrupted');
      expect(h.sim.calls({ action: 'RunInstances' })).toEqual([]);
    }
    // Settled for good: a second recovery finds nothing to do.
    expect((await survivor.recover()).bakes).toEqual([]);
    await h.expectNoLeaks();
  },
);

test('resumes from the inputs it started with, whatever became of the project file since', async () => {
  h = await BakeHarness.create();
  const entry = await h.store.projects.create(project());
  const bakeId = await killDuring('run-script');
  await h.store.projects.save(
    { ...entry.project, initScript: '#!/bin/sh\necho changed\n' },
    { revision: entry.revision },
  );
  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'resumed' })]);
  await survivor.waitForFinal(bakeId);
  expect(await h.store.versions.latest('web')).toMatchObject({ bakeId, initScript: project().initScript });
  await h.expectNoLeaks();
});

test('a resumed bake keeps streaming the same console without logging again what it had kept', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('run-script', project(), {
    watch: true,
    when: (e) => e.type === 'console' && e.lines.some((l) => l.endsWith('installing')),
  });
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  survivor.watchConsole(bakeId);
  expect((await survivor.waitForFinal(bakeId)).status).toBe('succeeded');
  const lines = await h.store.bakes.readConsole(bakeId);
  expect(lines.filter((l) => l.endsWith('installing'))).toHaveLength(1);
  expect(lines.some((l) => l.endsWith('ready'))).toBe(true);
  await h.expectNoLeaks();
});

test('killed after its watched console logged the done marker and the whole shutdown: resumed, imaged', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('run-script', project(), {
    watch: true,
    when: (e) => e.type === 'console' && e.lines.some((l) => l.endsWith('reboot: Power down')),
  });
  const logged = await h.store.bakes.readConsole(bakeId);
  const marker = logged.findIndex((l) => / done exit=0$/.test(l));
  // The point of the test: the marker is further back than the lines a resumed bake keeps to match on.
  expect(logged.length - marker).toBeGreaterThan(40);
  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'resumed' })]);
  expect(await survivor.waitForFinal(bakeId)).toMatchObject({ status: 'succeeded', cleanedUp: [] });
  await h.expectNoLeaks();
});

test('a resumed bake holds a slot: with one per region, a bake started after recovery waits for it', async () => {
  h = await BakeHarness.create({ perRegion: 1 });
  const bakeId = await killDuring('run-script');
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  const next = await survivor.start(h.request(project({ initScript: '#!/bin/sh\necho another\n' })));
  const [resumed, after] = await Promise.all([survivor.waitForFinal(bakeId), survivor.waitForFinal(next.id)]);
  expect([resumed.status, after.status]).toEqual(['succeeded', 'succeeded']);
  expect(h.eventsOf(next.id).some((e) => e.type === 'status' && e.status === 'queued')).toBe(true);
  // The new bake launched only once the resumed one had let go of its builder.
  const launches = h.sim.calls({ action: 'RunInstances' });
  const terminated = h.sim.calls({ action: 'TerminateInstances' });
  expect(launches).toHaveLength(2);
  expect(launches[1]!.time).toBeGreaterThanOrEqual(terminated[0]!.time);
  await h.expectNoLeaks();
});

test('completion "wait" resumed after a while waits only what is left of its time', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('run-script', project({ completion: { mode: 'wait', seconds: 120 } }));
  // The new process starts 100 s (of virtual time) later.
  await h.clock.advance(100_000);
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  const record = await survivor.waitForFinal(bakeId);
  expect(record.status).toBe('succeeded');
  const script = record.steps.find((s) => s.step === 'run-script');
  const waited = (script?.endedAt ?? 0) - (script?.startedAt ?? 0);
  expect(waited).toBeGreaterThanOrEqual(120_000);
  expect(waited).toBeLessThan(150_000);
  await h.expectNoLeaks();
});

test('a script that finished while no one watched is not failed for being past its timeout', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring(
    'run-script',
    project({ completion: { mode: 'wrapper', timeoutMinutes: 1 } }),
  );
  await h.clock.advance(10 * 60_000);
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  expect((await survivor.waitForFinal(bakeId)).status).toBe('succeeded');
  await h.expectNoLeaks();
});

test('a launch that never reached EC2 has nothing to resume: interrupted, nothing made', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('launch', project(), { dropLateRequests: true });
  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'resumed' })]);
  expect(await survivor.waitForFinal(bakeId)).toMatchObject({
    status: 'interrupted',
    message: expect.stringContaining('EC2 lists no builder it launched'),
  });
  expect(h.sim.instances()).toEqual([]);
  await h.expectNoLeaks();
});

test('a CreateImage that never reached EC2 is sent again from the resumed bake', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('create-image', project(), { dropLateRequests: true });
  expect(h.sim.images()).toEqual([]);
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  const record = await survivor.waitForFinal(bakeId);
  expect(record).toMatchObject({ status: 'succeeded', imageName: expect.stringMatching(/^web-/) });
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(1);
  await h.expectNoLeaks();
});

test('a builder that went away meanwhile cannot be resumed: the bake is cleaned up instead', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('run-script');
  h.sim.terminateBehindBack(h.instanceOf(bakeId));
  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'cleaned' })]);
  expect((await survivor.get(bakeId))?.status).toBe('interrupted');
  await h.expectNoLeaks();
});

test('an identical bake started after recovery joins the resumed one instead of launching', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('run-script');
  const survivor = h.engine({}, h.survivorStore());
  await survivor.recover();
  const twin = await h.bake(project(), survivor);
  expect(twin).toMatchObject({ status: 'succeeded', joinedTo: bakeId });
  expect((await survivor.waitForFinal(bakeId)).imageId).toBe(twin.imageId);
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(1);
  await h.expectNoLeaks();
});

test('killed as it journaled its end, only partly: the image its version names is kept, not cleaned up', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const done = await h.bake(project(), engine);
  await engine.shutdown();
  // A crash cut the last journal write short: every step is done, but "succeeded" never reached the disk.
  const dir = join(h.dataDir, 'bakes', done.id);
  const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
  const kept = lines.filter((line) => !/"type":"(finished|status)"/.test(line) || /"running"/.test(line));
  await writeFile(join(dir, 'events.jsonl'), `${kept.join('\n')}\n`);
  await rm(join(dir, 'record.json'));
  await writeFile(join(h.dataDir, 'index', 'active-bakes', done.id), '');

  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([
    expect.objectContaining({ bakeId: done.id, outcome: 'resumed' }),
  ]);
  expect(await survivor.waitForFinal(done.id)).toMatchObject({ status: 'succeeded', version: 1 });
  expect(await h.store.versions.list('web')).toHaveLength(1);
  expect(h.sim.images().map((i) => i.imageId)).toEqual([done.imageId]);
  await h.expectNoLeaks();
});

test('killed while cleaning up after a failed script: recovery finishes the cleanup', async () => {
  h = await BakeHarness.create();
  const bakeId = await killDuring('cleanup', project({ initScript: '#!/bin/sh\nexit 4\n' }));
  const survivor = h.engine({}, h.survivorStore());
  const report = await survivor.recover();
  expect(report.bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'cleaned' })]);
  expect((await survivor.get(bakeId))?.status).toBe('interrupted');
  await h.expectNoLeaks();
});

test('a bake another live process is running is left alone', async () => {
  h = await BakeHarness.create();
  const running = h.engine();
  const started = await running.start(h.request(project(), { trigger: 'app' }));
  await h.waitForEvent(stepRunning('run-script'));
  // Same data dir, heartbeat fresh: not an orphan.
  expect((await h.engine().recover()).bakes).toEqual([]);
  expect((await running.waitForFinal(started.id)).status).toBe('succeeded');
  await h.expectNoLeaks();
});

test('a builder launched by an older Quadraxis (wrapper version 2) is still resumed, read as version 2', async () => {
  h = await BakeHarness.create();
  // The engine's launch goes out with the wrapper an older Quadraxis built: the script as base64, a done
  // marker without a warning count, no "cleaned".
  const { clients } = await h.connect({ profile: 'sandbox', region: REGION });
  const send = clients.ec2.send.bind(clients.ec2) as (...args: unknown[]) => Promise<unknown>;
  (clients.ec2 as { send: unknown }).send = (command: unknown, ...rest: unknown[]) => {
    if (command instanceof RunInstancesCommand && command.input.UserData) {
      const info = inspectUserData(Buffer.from(command.input.UserData, 'base64')).wrapper!;
      const env = Object.entries(info.env)
        .map(([k, v]) => `${k}=${Buffer.from(v).toString('base64')}`)
        .join('\n');
      const older = [
        wrapperHeader({ bakeId: info.bakeId, nonce: info.nonce, mode: 'script', version: 2 }),
        `QX_SCRIPT_B64='${Buffer.from(info.userScript ?? '').toString('base64')}'`,
        `QX_ENV_B64='${Buffer.from(env).toString('base64')}'`,
      ].join('\n');
      command.input.UserData = Buffer.from(older).toString('base64');
    }
    return send(command, ...rest);
  };
  const bakeId = await killDuring('run-script');
  // Its inputs as that Quadraxis wrote them: no wrapper version.
  const file = join(h.dataDir, 'bakes', bakeId, 'inputs.json');
  const { wrapperVersion, ...older } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(wrapperVersion).toBe(3);
  await writeFile(file, JSON.stringify(older));

  const survivor = h.engine({}, h.survivorStore());
  expect((await survivor.recover()).bakes).toEqual([expect.objectContaining({ bakeId, outcome: 'resumed' })]);
  const record = await survivor.waitForFinal(bakeId);
  expect(record.status).toBe('succeeded');
  const log = await h.store.bakes.readConsole(bakeId);
  expect(log.some((line) => / done exit=0$/.test(line))).toBe(true);
  expect(log.some((line) => line.endsWith('] cleaned'))).toBe(false);
  await h.expectNoLeaks();
});
