import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import {
  bearer,
  postGithub,
  projectInput,
  pushPayload,
  secretsOf,
  webhookFixture,
  type WebhookFixture,
} from './helpers';

let f: WebhookFixture;
let web: { token: string; github: string };

beforeAll(async () => {
  f = await webhookFixture({ limits: { perMinute: 1000 } });
  await f.runtime.store.projects.create(projectInput('web'));
  web = await secretsOf(f.state, 'web');
});
afterAll(async () => {
  await f?.close();
});

interface Answer {
  status: number;
  body: {
    bakeId?: string;
    duplicate?: boolean;
    joined?: boolean;
    queuedBehind?: string;
    environment?: string;
  };
}

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('a replayed delivery', () => {
  it('bakes one signed push once, whatever delivery ids the copies carry, also after a restart', async () => {
    const body = JSON.stringify(pushPayload('main'));
    const send = (url: string, delivery: string) =>
      postGithub(url, 'web', { secret: web.github, body, delivery }).then(answer);
    const first = await send(f.url, 'original');
    expect(first.status).toBe(202);
    const bakeId = first.body.bakeId!;
    const again = [
      ...(await Promise.all(Array.from({ length: 5 }, (_, i) => send(f.url, `forged-${i}`)))),
      await send(f.url, 'forged-late'),
    ];
    await f.runtime.engine.waitForFinal(bakeId);
    // Another listener on the same data directory (a restart, or `quadraxis serve` beside the app).
    const restarted = await webhookFixture({ dataDir: f.dataDir, limits: { perMinute: 1000 } });
    try {
      again.push(await send(restarted.url, 'forged-after-restart'));
      await restarted.deliveries.count(1);
    } finally {
      await restarted.close();
    }
    for (const a of again)
      expect(a).toEqual({ status: 200, body: expect.objectContaining({ duplicate: true, bakeId }) });
    expect(await f.runtime.engine.list({ project: 'web' })).toHaveLength(1);
    await f.deliveries.count(6, (d) => d.delivery.delivery?.startsWith('forged') ?? false);
    const logged = await f.state.deliveries.list('web', 100);
    expect(logged.filter((d) => d.outcome === 'baked')).toHaveLength(1);
    expect(logged.filter((d) => d.outcome === 'duplicate' && d.bakeId === bakeId)).toHaveLength(7);
  });

  it('recognises a signed body without a commit by its hash, and a token call by the commit it names', async () => {
    const before = (await f.runtime.engine.list({ project: 'web' })).length;
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main' } });
    const first = await answer(await postGithub(f.url, 'web', { secret: web.github, body, delivery: 'a' }));
    const second = await answer(await postGithub(f.url, 'web', { secret: web.github, body, delivery: 'b' }));
    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 200, body: { duplicate: true, bakeId: first.body.bakeId } });
    await f.runtime.engine.waitForFinal(first.body.bakeId!);

    const hook = () =>
      fetch(`${f.url}/hooks/web`, {
        method: 'POST',
        headers: { ...bearer(web.token), 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'refs/heads/main', after: 'ab'.repeat(20) }),
      }).then(answer);
    const fromHook = await hook();
    expect(fromHook.status).toBe(202);
    expect(await hook()).toMatchObject({
      status: 200,
      body: { duplicate: true, bakeId: fromHook.body.bakeId },
    });
    await f.runtime.engine.waitForFinal(fromHook.body.bakeId!);
    expect((await f.runtime.engine.list({ project: 'web' })).length).toBe(before + 2);
  });
});

describe('one running and one queued webhook bake per project', () => {
  it('queues the next push behind the running bake, joins later pushes to it, and bakes them after', async () => {
    // A bake that runs long enough for the pushes below to arrive while it does.
    await f.runtime.store.projects.create(projectInput('slow', { initScript: '#!/bin/sh\nsleep 2\n' }));
    const slow = await secretsOf(f.state, 'slow');
    const push = (after?: string) =>
      postGithub(f.url, 'slow', { secret: slow.github, payload: pushPayload('main', 'main', after) }).then(
        answer,
      );
    const running = await push();
    expect(running.status).toBe(202);
    const a = running.body.bakeId!;
    const next = await push('d'.repeat(40));
    expect(next).toMatchObject({ status: 202, body: { queuedBehind: a } });
    const b = next.body.bakeId!;
    expect(b).not.toBe(a);
    const later = await Promise.all([
      push(),
      push(),
      fetch(`${f.url}/hooks/slow`, { method: 'POST', headers: bearer(slow.token) }).then(answer),
    ]);
    for (const joined of later)
      expect(joined).toMatchObject({ status: 202, body: { joined: true, bakeId: b } });
    expect(await push('d'.repeat(40))).toMatchObject({ status: 200, body: { duplicate: true, bakeId: b } });

    const queued = await f.runtime.engine.get(b);
    expect(queued?.status).toBe('queued');
    const [first, second] = await Promise.all([
      f.runtime.engine.waitForFinal(a),
      f.runtime.engine.waitForFinal(b),
    ]);
    expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    // The queued bake started once the running one had ended: it built from the newer sources, not
    // from a builder shared with the older bake.
    expect(second.joinedTo).toBeUndefined();
    expect(second.startedAt ?? 0).toBeGreaterThanOrEqual(first.endedAt ?? Infinity);
    expect(await f.runtime.engine.list({ project: 'slow' })).toHaveLength(2);
  });

  it('names the environment a push bakes in its 202, started, queued or joined; an unmapped branch names none', async () => {
    await f.runtime.store.projects.create(
      projectInput('staged', {
        initScript: '#!/bin/sh\nsleep 2\n',
        triggers: { branches: ['main', 'develop'], environments: { main: 'prod' } },
        environments: { prod: { instanceType: 't3.small' } },
      }),
    );
    const staged = await secretsOf(f.state, 'staged');
    const push = (branch: string, after?: string) =>
      postGithub(f.url, 'staged', {
        secret: staged.github,
        payload: pushPayload(branch, 'main', after),
      }).then(answer);
    const running = await push('main');
    expect(running).toMatchObject({ status: 202, body: { environment: 'prod' } });
    const next = await push('main', 'e'.repeat(40));
    expect(next).toMatchObject({
      status: 202,
      body: { queuedBehind: running.body.bakeId, environment: 'prod' },
    });
    expect(await push('main', 'f'.repeat(40))).toMatchObject({
      status: 202,
      body: { joined: true, bakeId: next.body.bakeId, environment: 'prod' },
    });
    const own = await push('develop');
    expect(own.status).toBe(202);
    expect(own.body).not.toHaveProperty('environment');
    const finals = await Promise.all(
      [running, next, own].map((a) => f.runtime.engine.waitForFinal(a.body.bakeId!)),
    );
    expect(finals.map((r) => [r.status, r.environment])).toEqual([
      ['succeeded', 'prod'],
      ['succeeded', 'prod'],
      ['succeeded', undefined],
    ]);
    // GET /bakes/<id> says it too, for a CI script following the bake.
    const view = await fetch(`${f.url}/bakes/${running.body.bakeId}`, { headers: bearer(staged.token) });
    expect(await view.json()).toMatchObject({ id: running.body.bakeId, environment: 'prod' });
    const plain = await fetch(`${f.url}/bakes/${own.body.bakeId}`, { headers: bearer(staged.token) });
    expect(await plain.json()).not.toHaveProperty('environment');
  });
});

describe('a request whose bake did not start', () => {
  it('is not a replay: redelivered later it bakes; past the window, a replay bakes again', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const g = await webhookFixture({ limits: { perMinute: 1 }, clock, replayWindowMs: 3600_000 });
    try {
      await g.runtime.store.projects.create(projectInput('web'));
      const { github } = await secretsOf(g.state, 'web');
      const send = (body: string) => postGithub(g.url, 'web', { secret: github, body }).then(answer);
      const one = JSON.stringify(pushPayload('main'));
      const two = JSON.stringify(pushPayload('main'));
      const first = await send(one);
      expect(first.status).toBe(202);
      await g.runtime.engine.waitForFinal(first.body.bakeId!);
      expect((await send(two)).status).toBe(429);
      await clock.advance(60_000);
      const redelivered = await send(two);
      expect(redelivered.status).toBe(202);
      await g.runtime.engine.waitForFinal(redelivered.body.bakeId!);
      await clock.advance(3600_000);
      const late = await send(one);
      expect(late.status).toBe(202);
      expect(late.body.bakeId).not.toBe(first.body.bakeId);
      await g.runtime.engine.waitForFinal(late.body.bakeId!);
    } finally {
      await g.close();
    }
  });
});
