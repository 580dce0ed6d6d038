import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/main/app/app-context';
import { VirtualClock } from '../../../src/main/services/clock';
import { clockTrackingExtension } from '../../../src/sandbox';
import type { BakeEvent, BakeRecord } from '../../../src/shared/bake';
import type { InvokeResponse } from '../../../src/shared/contract';
import type { ProjectInput } from '../../../src/shared/project';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';
import { T0 } from '../../helpers/bake-record';
import { FAST_BAKE_TIMINGS } from '../../helpers/sandbox-timings';

let clock: VirtualClock;
let app: AppFixture;
let ctx: AppContext;
let events: BakeEvent[];
let onEvent: (event: BakeEvent) => void;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  events = [];
  onEvent = () => undefined;
  app = await openAppFixture({
    clock,
    runtime: {
      sandbox: { clock, seed: 'ui-bakes', timings: FAST_BAKE_TIMINGS },
      clientConfig: { retryMode: 'standard', extensions: [clockTrackingExtension(clock)] },
    },
    onEvent: (channel, payload) => {
      if (channel !== 'bake:event') return;
      events.push(payload as BakeEvent);
      onEvent(payload as BakeEvent);
    },
  });
  ctx = app.ctx;
  clock.startAuto();
});

afterEach(async () => {
  await app.close();
  clock.stopAuto();
});

const call: AppFixture['call'] = (channel, request) => app.call(channel, request);
const value: AppFixture['value'] = (channel, request) => app.value(channel, request);

async function createProject(name: string, more: Partial<ProjectInput> = {}): Promise<void> {
  await ctx.runtime.store.projects.create({
    name,
    baseImage: {
      kind: 'ssm',
      parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    },
    initScript: '#!/bin/bash\necho "one"\nsleep 6\necho "two"\nsleep 6\necho "three"\n',
    tags: { team: 'platform' },
    ...more,
  });
}

const final = (id: string): Promise<BakeRecord> => ctx.runtime.engine.waitForFinal(id);

describe('bake:start', () => {
  it('asks for a profile when settings name none, and says so in details', async () => {
    await createProject('web');
    const result = await call('bake:start', { project: 'web' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { missing: 'profile' } },
    });
    expect(await ctx.runtime.engine.list()).toEqual([]);
  });

  it('answers once preflight has passed, with the profile from settings', async () => {
    await createProject('web');
    ctx.settings.update({ profile: 'sandbox' });
    const record = await value('bake:start', { project: 'web' });
    expect(record).toMatchObject({
      project: 'web',
      profile: 'sandbox',
      region: 'us-east-1',
      simulated: true,
    });
    expect(record.steps.find((s) => s.step === 'preflight')?.status).toBe('done');
    const done = await final(record.id);
    expect(done.status).toBe('succeeded');
    // Every event of the bake went out on bake:event, in seq order.
    const seqs = events.filter((e) => e.bakeId === record.id).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(done.seq);
  });

  it('bakes a named environment: the defaults list them, the record and version name the one baked', async () => {
    await createProject('web', {
      initScript: '#!/bin/bash\necho "mode=$APP_MODE"\n',
      env: { APP_MODE: 'base' },
      environments: {
        prod: { description: 'Production', env: { APP_MODE: 'production' }, instanceType: 't3.small' },
      },
    });
    ctx.settings.update({ profile: 'sandbox' });
    expect((await value('bake:get-defaults', { project: 'web' })).environments).toEqual({
      web: [{ name: 'prod', description: 'Production', instanceType: 't3.small' }],
    });
    expect(await call('bake:start', { project: 'web', environment: 'staging' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('no environment named staging') },
    });
    expect(await call('bake:start', { project: 'web', environment: 'not an environment!' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const record = await value('bake:start', { project: 'web', environment: 'prod' });
    expect(record.environment).toBe('prod');
    const done = await final(record.id);
    expect(done.status).toBe('succeeded');
    const [version] = await value('versions:list', { project: 'web' });
    expect(version).toMatchObject({
      environment: 'prod',
      instanceType: 't3.small',
      env: { APP_MODE: 'production' },
    });
  });

  it('turns an identical earlier bake into CONFLICT with the image and version, and bakes anyway with force', async () => {
    await createProject('web', { initScript: '#!/bin/bash\necho hi\n' });
    const first = await value('bake:start', { project: 'web', profile: 'sandbox' });
    const made = await final(first.id);
    const again = await call('bake:start', { project: 'web', profile: 'sandbox' });
    expect(again).toMatchObject({
      ok: false,
      error: {
        code: 'CONFLICT',
        message: `Version 1 of web (${made.imageId!}) was baked from identical inputs and its image still exists.`,
        details: { reason: 'identical', imageId: made.imageId, version: '1', bakeId: first.id },
      },
    });
    // The question left nothing behind: no failed bake in the history.
    expect((await value('bake:list', {})).map((r) => r.id)).toEqual([first.id]);
    const forced = await value('bake:start', { project: 'web', profile: 'sandbox', force: true });
    expect((await final(forced.id)).version).toBe(2);
  });

  it('lets an identical second bake join the running one, and bake:get names the bake it follows', async () => {
    await createProject('web');
    const leader = await value('bake:start', { project: 'web', profile: 'sandbox' });
    const twin = await value('bake:start', { project: 'web', profile: 'sandbox' });
    const [led, followed] = await Promise.all([final(leader.id), final(twin.id)]);
    expect((await value('bake:get', twin.id)).record.joinedTo).toBe(leader.id);
    // The join is in the event stream itself, so a renderer following it shows the link at once.
    expect(events.some((e) => e.bakeId === twin.id && e.type === 'status' && e.joinedTo === leader.id)).toBe(
      true,
    );
    expect(followed).toMatchObject({ status: 'succeeded', imageId: led.imageId });
  });

  it('applies the concurrency setting at once: the second bake waits, queued, while the limit is 1', async () => {
    await createProject('web');
    await createProject('api', { initScript: '#!/bin/bash\necho "api"\n' });
    await value('settings:update', { bakes: { concurrencyPerRegion: 1 } });
    const first = await value('bake:start', { project: 'web', profile: 'sandbox' });
    const second = await value('bake:start', { project: 'api', profile: 'sandbox' });
    await Promise.all([final(first.id), final(second.id)]);
    expect(events.some((e) => e.bakeId === second.id && e.type === 'status' && e.status === 'queued')).toBe(
      true,
    );
  });

  it('reports a preflight problem as its own error', async () => {
    await createProject('arm', { instanceType: 'zz9.huge' });
    const result = await call('bake:start', { project: 'arm', profile: 'sandbox' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!result.ok && result.error.message).toMatch(/zz9\.huge/);
    expect(await call('bake:start', { project: 'nope', profile: 'sandbox' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('bake:get', () => {
  it('hands out the console up to exactly the record’s seq, so live events continue it without a gap', async () => {
    await createProject('web');
    const started = await value('bake:start', { project: 'web', profile: 'sandbox' });
    // The bake page watches the console, so it streams while the script runs.
    await value('bake:watch', { id: started.id });
    let snapshot: Promise<InvokeResponse<'bake:get'>> | undefined;
    let consoleEvents = 0;
    let nextConsole = () => {};
    onEvent = (event) => {
      if (event.bakeId !== started.id || event.type !== 'console') return;
      nextConsole();
      // Ask in the middle of the console stream, from inside a broadcast, as a reloading renderer might.
      if (++consoleEvents === 2) snapshot = value('bake:get', started.id);
    };
    // The saved log is read a moment later than the record: by then it holds the next poll's lines too.
    const bakes = ctx.runtime.store.bakes;
    const readConsole = bakes.readConsole.bind(bakes);
    bakes.readConsole = async (id, opts) => {
      await new Promise<void>((resolve) => (nextConsole = resolve));
      return readConsole(id, opts);
    };
    const done = final(started.id).then((record) => {
      bakes.readConsole = readConsole;
      nextConsole();
      return record;
    });
    await done;
    expect(snapshot).toBeDefined();
    const details = await snapshot!;
    const later = events
      .filter((e) => e.bakeId === started.id && e.seq > details.record.seq)
      .flatMap((e) => (e.type === 'console' ? e.lines : []));
    const saved = await ctx.runtime.store.bakes.readConsole(started.id);
    expect(details.consoleTail.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
    expect([...details.consoleTail, ...later]).toEqual(saved);
    expect(details.consoleLines).toBe(details.consoleTail.length);
  });

  it('gives a finished bake its saved console and its version’s tags', async () => {
    await createProject('web', { initScript: '#!/bin/bash\necho hi\n' });
    const started = await value('bake:start', { project: 'web', profile: 'sandbox' });
    await final(started.id);
    const details = await value('bake:get', started.id);
    expect(details.record.status).toBe('succeeded');
    expect(details.consoleTail).toEqual(await ctx.runtime.store.bakes.readConsole(started.id));
    expect(details.version).toMatchObject({
      version: 1,
      tags: { team: 'platform' },
      instanceType: 't3.micro',
    });
    expect(await call('bake:get', 'bk_00000000000000000000')).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('bake:watch', () => {
  it('streams a running bake’s console for the window while it holds the watch, and stops when it lets go', async () => {
    await createProject('long', { initScript: '#!/bin/bash\necho "begun"\nsleep 300\necho "ended"\n' });
    const started = await value('bake:start', { project: 'long', profile: 'sandbox' });
    const reads = () =>
      ctx.runtime.sandbox.running?.sim.calls({ action: 'GetConsoleOutput' }).length ?? Number.NaN;
    expect(await value('bake:watch', { id: started.id })).toBeNull();
    const begun = new Promise<void>((resolve) => {
      onEvent = (e) => {
        if (e.bakeId === started.id && e.type === 'console' && e.lines.some((l) => l.endsWith('begun')))
          resolve();
      };
    });
    await begun;
    expect(await value('bake:watch', { id: started.id, watching: false })).toBeNull();
    const whenReleased = reads();
    expect(whenReleased).toBeGreaterThan(0);
    expect((await final(started.id)).status).toBe('succeeded');
    // Minutes of script after the window let go: only the engine's own read once the builder was down.
    expect(reads()).toBeLessThanOrEqual(whenReleased + 2);
    // A finished bake, or one this process does not run: nothing to watch, no error.
    expect(await value('bake:watch', { id: started.id })).toBeNull();
  });
});

describe('bake:list, bake:console, bake:cancel, bake:get-defaults', () => {
  it('lists unfinished bakes first, filters by project and status, and pages the console', async () => {
    await createProject('quick', { initScript: '#!/bin/bash\necho quick\n' });
    await createProject('slow', { initScript: '#!/bin/bash\necho slow\nsleep 600\n' });
    const quick = await value('bake:start', { project: 'quick', profile: 'sandbox' });
    await final(quick.id);
    const slow = await value('bake:start', { project: 'slow', profile: 'sandbox' });

    expect((await value('bake:list', { limit: 10 })).map((r) => r.id)).toEqual([slow.id, quick.id]);
    expect((await value('bake:list', { project: 'quick', limit: 10 })).map((r) => r.id)).toEqual([quick.id]);
    expect((await value('bake:list', { status: 'succeeded', limit: 10 })).map((r) => r.id)).toEqual([
      quick.id,
    ]);

    const saved = await ctx.runtime.store.bakes.readConsole(quick.id);
    const page = await value('bake:console', { id: quick.id, fromLine: 2, limit: 3 });
    expect(page).toEqual({ lines: saved.slice(2, 5), total: saved.length });

    expect(await value('bake:cancel', slow.id)).toBeNull();
    const cancelled = await final(slow.id);
    expect(cancelled.status).toBe('cancelled');
    expect((await value('bake:list', { status: 'cancelled', limit: 10 })).map((r) => r.id)).toEqual([
      slow.id,
    ]);
  });

  it('says what a bake would use and what there is to choose from', async () => {
    await createProject('web');
    await createProject('pinned', { region: 'eu-west-1' });
    const none = await value('bake:get-defaults', {});
    expect(none.profile).toBeUndefined();
    expect(none.projects).toEqual(['pinned', 'web']);
    expect(none.profiles.map((p) => [p.name, p.region, p.usable])).toEqual([['sandbox', 'us-east-1', true]]);

    ctx.settings.update({ profile: 'sandbox' });
    expect(await value('bake:get-defaults', { project: 'web' })).toMatchObject({
      profile: 'sandbox',
      region: 'us-east-1',
    });
    expect(await value('bake:get-defaults', { project: 'pinned' })).toMatchObject({
      region: 'eu-west-1',
      projectRegion: 'eu-west-1',
    });
    expect(await call('bake:get-defaults', { project: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});
