import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ForeignBakes } from '../../../src/main/app/foreign-bakes';
import type { Runtime } from '../../../src/main/runtime/runtime';
import { sandboxRuntime } from '../../helpers/sandbox-runtime';
import { isFinalStatus, type BakeEvent, type BakeRecord } from '../../../src/shared/bake';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';
import { FAST_TIMINGS, projectInput, Recorder } from '../webhook/helpers';

/**
 * The app and a `quadraxis bake` on one data directory: a second runtime with its own process token stands
 * in for the CLI process, so the store tells the two owners apart as it would two processes.
 */
let app: AppFixture;
let cli: Runtime;
let watch: ForeignBakes | undefined;
let changed: Recorder<BakeRecord>;
let engineEvents: BakeEvent[];

async function open(foreignBakePollMs: number): Promise<void> {
  changed = new Recorder();
  engineEvents = [];
  app = await openAppFixture({
    foreignBakePollMs,
    runtime: {
      clientConfig: { maxAttempts: 1 },
      sandbox: { throttling: false, seed: 'foreign-app', timings: FAST_TIMINGS },
      pollIntervalMs: 25,
    },
    onEvent: (channel, payload) => {
      if (channel === 'bake:changed') changed.push((payload as { record: BakeRecord }).record);
      if (channel === 'bake:event') engineEvents.push(payload as BakeEvent);
    },
  });
  cli = sandboxRuntime(app.dataDir, {
    actor: 'quadraxis CLI',
    seed: 'foreign-cli',
    sandbox: { timings: FAST_TIMINGS },
    pollIntervalMs: 25,
    owner: { processToken: 'the CLI process' },
  });
  await app.ctx.runtime.store.projects.create(
    projectInput('web', { initScript: '#!/bin/sh\necho one\nsleep 1\necho two\n' }),
  );
  await app.ctx.runtime.store.projects.create(projectInput('api'));
}

/** The fixture's own watcher never looks within a test: the test looks, one look at a time. */
async function openLookingByHand(): Promise<ForeignBakes> {
  await open(3_600_000);
  watch = new ForeignBakes(app.ctx);
  return watch;
}

afterEach(async () => {
  watch?.close();
  watch = undefined;
  await cli.close();
  await app.close();
});

async function cliBake(project: string): Promise<BakeRecord> {
  const entry = await cli.store.projects.get(project);
  // Forced: a test may bake the same inputs twice.
  return cli.engine.start({ project: entry!.project, profile: 'sandbox', trigger: 'cli', force: true });
}

const of = (id: string) => changed.items.filter((r) => r.id === id);
const isFinalOf = (id: string) => (r: BakeRecord) => r.id === id && isFinalStatus(r.status);

describe('bakes another process runs, as the app watches them', () => {
  it('reach the app as bake:changed from the first record to the final one, seq rising, none twice', async () => {
    await open(15);
    const started = await cliBake('web');
    const last = await changed.first(isFinalOf(started.id));
    const done = await cli.engine.waitForFinal(started.id);

    expect(last).toEqual(done);
    expect(done.status).toBe('succeeded');
    const seqs = of(started.id).map((r) => r.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    // Progress, not just the outcome: the running bake was seen before it finished.
    expect(of(started.id).some((r) => r.status === 'running')).toBe(true);
    expect(of(started.id).filter((r) => isFinalStatus(r.status))).toHaveLength(1);
    // Its events were never this engine's to send.
    expect(engineEvents.filter((e) => e.bakeId === started.id)).toEqual([]);
  });

  it('stay apart from the app’s own bakes, which go out only as bake:event', async () => {
    await open(15);
    app.ctx.settings.update({ profile: 'sandbox' });
    const foreign = await cliBake('api');
    const own = await app.value('bake:start', { project: 'web' });
    const ownDone = await app.ctx.runtime.engine.waitForFinal(own.id);
    await changed.first(isFinalOf(foreign.id));
    // A later CLI bake shows the watcher was still looking after the app's bake ended.
    const again = await cliBake('api');
    await changed.first(isFinalOf(again.id));

    expect(ownDone.status).toBe('succeeded');
    expect(of(own.id)).toEqual([]);
    expect(engineEvents.filter((e) => e.bakeId === own.id).at(-1)?.type).toBe('finished');
    expect(of(foreign.id).filter((r) => isFinalStatus(r.status))).toHaveLength(1);
    const seqs = of(foreign.id).map((r) => r.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  });
});

describe('one look (ForeignBakes.look)', () => {
  it('finds a bake that started and finished between two looks, and sends its final record once', async () => {
    const looker = await openLookingByHand();
    await looker.look();
    const done = await cli.engine.waitForFinal((await cliBake('api')).id);
    await looker.look();
    expect(changed.items).toEqual([done]);
    await looker.look();
    expect(changed.items).toEqual([done]);
  });

  it('leaves out bakes that had finished before the first look: a renderer reads those from disk', async () => {
    const looker = await openLookingByHand();
    await cli.engine.waitForFinal((await cliBake('api')).id);
    await looker.look();
    await looker.look();
    expect(changed.items).toEqual([]);
  });

  it('passes over the app’s own bake at every look while it runs', async () => {
    const looker = await openLookingByHand();
    app.ctx.settings.update({ profile: 'sandbox' });
    await looker.look();
    const own = await app.value('bake:start', { project: 'web' });
    let settled = false;
    void app.ctx.runtime.engine.waitForFinal(own.id).then(() => (settled = true));
    let looks = 0;
    while (!settled) {
      await looker.look();
      looks++;
    }
    await looker.look();
    expect(looks).toBeGreaterThan(1);
    expect(changed.items).toEqual([]);
  });

  it('watches a bake of its own that another process took over, like any other', async () => {
    const looker = await openLookingByHand();
    app.ctx.settings.update({ profile: 'sandbox' });
    // Long enough that it cannot finish here while the test looks.
    await app.ctx.runtime.store.projects.create(
      projectInput('slow', { initScript: '#!/bin/sh\necho start\nsleep 60\n' }),
    );
    await looker.look();
    const ownEvents = new Recorder<BakeEvent>();
    app.ctx.runtime.engine.subscribe((event) => ownEvents.push(event));
    const own = await app.value('bake:start', { project: 'slow' });
    // Well under way (its claim long written), as a bake is when a frozen app loses it.
    await ownEvents.next((e) => e.bakeId === own.id && e.type === 'step' && e.step === 'run-script');
    await looker.look();
    expect(changed.items).toEqual([]);
    // What a takeover leaves on disk: owner.json naming the process that recovered the bake.
    const ownerFile = join(app.dataDir, 'bakes', own.id, 'owner.json');
    const owner = JSON.parse(await readFile(ownerFile, 'utf8')) as Record<string, unknown>;
    await writeFile(ownerFile, JSON.stringify({ ...owner, startToken: 'the CLI that took it over' }));
    expect(isFinalStatus((await app.ctx.runtime.store.bakes.get(own.id))!.status)).toBe(false);
    await looker.look();
    expect(changed.items.map((r) => r.id)).toContain(own.id);
  });

  it('recovers a bake whose process went away while the app watched, without waiting for a restart', async () => {
    const looker = await openLookingByHand();
    await looker.look();
    const started = await cliBake('web');
    const cliEvents = new Recorder<BakeEvent>();
    cli.engine.subscribe((event) => cliEvents.push(event));
    await cliEvents.next((e) => e.bakeId === started.id && e.type === 'step' && e.step === 'run-script');
    // The CLI stops with its builder launched: the bake is left journaled and unowned, as after a kill.
    await cli.close();
    await looker.look();
    expect(looker.recovery).toBeDefined();
    await looker.recovery;
    const final = await app.ctx.runtime.engine.waitForFinal(started.id);
    expect(isFinalStatus(final.status)).toBe(true);
    expect(app.events.some((e) => e.channel === 'app:notice')).toBe(true);
  });

  it('reads nothing while no window is attached, and catches up once one is', async () => {
    const looker = await openLookingByHand();
    await looker.look();
    app.ctx.hub.detach(1);
    const done = await cli.engine.waitForFinal((await cliBake('api')).id);
    await looker.look();
    expect(changed.items).toEqual([]);

    const sent: unknown[] = [];
    app.ctx.hub.attach({
      id: 2,
      isDestroyed: () => false,
      send: (channel, payload) => {
        if (channel === 'bake:changed') sent.push(payload);
      },
    });
    app.ctx.hub.markReady(2);
    await looker.look();
    expect(sent).toEqual([{ record: done }]);
  });
});
