import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeEvent, BakeRecord } from '../../../src/shared/bake';
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

interface Answer {
  id: string;
  status: number;
  body: { bakeId?: string; duplicate?: boolean; ignored?: boolean; joined?: boolean };
}

/** Each bake started only once the one before it had ended: one running at a time. */
function expectOneAtATime(records: BakeRecord[]): void {
  const sorted = [...records].sort((a, b) => a.createdAt - b.createdAt);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i]!.startedAt ?? 0).toBeGreaterThanOrEqual(sorted[i - 1]!.endedAt ?? Infinity);
}

describe('50 concurrent deliveries', () => {
  let f: WebhookFixture;
  let github: string;
  beforeAll(async () => {
    // This test is about losing nothing and baking nothing twice, so the per-minute limit is lifted, and
    // the 50 come from one address, so its connection cap too.
    f = await webhookFixture({ limits: { perMinute: 1000, maxConnectionsPerAddress: 64 } });
    await f.runtime.store.projects.create(projectInput('web'));
    ({ github } = await secretsOf(f.state, 'web'));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers every one, gives each push and its redelivery the same bake, and runs one bake at a time', async () => {
    // What a busy repository sends in a burst: 10 pushes to main, the same 10 again (redelivered), 15 pushes
    // to other branches (ignored) and 15 pings — interleaved.
    const pushes = Array.from({ length: 10 }, (_, i) => ({
      id: `load-${i}`,
      event: 'push',
      body: JSON.stringify(pushPayload('main')),
    }));
    const sends = [
      ...pushes,
      ...pushes.map((p) => ({ ...p, id: `${p.id}-again` })),
      ...Array.from({ length: 15 }, (_, i) => ({
        id: `load-other-${i}`,
        event: 'push',
        body: JSON.stringify(pushPayload(`feature-${i}`)),
      })),
      ...Array.from({ length: 15 }, (_, i) => ({ id: `load-ping-${i}`, event: 'ping', body: '{}' })),
    ]
      .map((send, i) => ({ ...send, order: (i * 37) % 50 }))
      .sort((a, b) => a.order - b.order);
    const started = performance.now();
    const answers: Answer[] = await Promise.all(
      sends.map(async ({ id, event, body }) => {
        const response = await postGithub(f.url, 'web', { secret: github, event, body, delivery: id });
        return { id, status: response.status, body: (await response.json()) as Answer['body'] };
      }),
    );
    const answeredMs = performance.now() - started;
    expect(answers).toHaveLength(50);
    expect(answers.filter((a) => a.body.ignored)).toHaveLength(15);
    expect(answers.filter((a) => a.status === 200 && !a.body.ignored && !a.body.duplicate)).toHaveLength(15);
    // Of each push and its redelivery, one was taken (started or joined) and the other named the same bake.
    for (const push of pushes) {
      const pair = answers.filter((a) => a.id === push.id || a.id === `${push.id}-again`);
      expect(pair.map((a) => a.status).sort()).toEqual([200, 202]);
      expect(pair.find((a) => a.status === 200)?.body.duplicate).toBe(true);
      expect(pair[0]!.body.bakeId).toMatch(/^bk_/);
      expect(pair[1]!.body.bakeId).toBe(pair[0]!.body.bakeId);
    }

    await f.deliveries.count(50, (d) => d.delivery.delivery?.startsWith('load-') ?? false);
    const log = (await f.state.deliveries.list('web', 500)).filter((d) => d.delivery?.startsWith('load-'));
    expect(log).toHaveLength(50);
    expect(log.filter((d) => d.outcome === 'duplicate')).toHaveLength(10);
    expect(log.filter((d) => d.outcome === 'baked' || d.outcome === 'joined')).toHaveLength(10);

    const bakeIds = [...new Set(answers.flatMap((a) => (a.body.bakeId ? [a.body.bakeId] : [])))];
    const finals = await Promise.all(bakeIds.map((id) => f.runtime.engine.waitForFinal(id)));
    expect(finals.every((r) => r.status === 'succeeded')).toBe(true);
    expect(await f.runtime.engine.list({ project: 'web' })).toHaveLength(bakeIds.length);
    expectOneAtATime(finals);
    console.info(
      `webhook load: 50 deliveries answered in ${Math.round(answeredMs)} ms; 10 pushes baked by ` +
        `${bakeIds.length} bake${bakeIds.length === 1 ? '' : 's'} one after another, 10 redeliveries recognised`,
    );
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After past the per-minute limit', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const f = await webhookFixture({ limits: { perMinute: 2 }, clock });
    try {
      await f.runtime.store.projects.create(projectInput('web'));
      const { github } = await secretsOf(f.state, 'web');
      const push = async () => {
        const response = await postGithub(f.url, 'web', { secret: github, payload: pushPayload('main') });
        const body = (await response.json()) as { bakeId?: string };
        if (body.bakeId) await f.runtime.engine.waitForFinal(body.bakeId);
        return response;
      };
      expect((await push()).status).toBe(202);
      await clock.advance(10_000);
      expect((await push()).status).toBe(202);
      const limited = await push();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('50');
      // Pings and ignored pushes cost nothing.
      expect((await postGithub(f.url, 'web', { secret: github, event: 'ping', payload: {} })).status).toBe(
        200,
      );
      await clock.advance(50_000);
      expect((await push()).status).toBe(202);
      expect(await f.runtime.engine.list({ project: 'web' })).toHaveLength(3);
    } finally {
      await f.close();
    }
  });

  it('queues a bake when the engine is busy instead of dropping it', async () => {
    const f = await webhookFixture({ perRegionLimit: 1, limits: { perMinute: 1000 } });
    try {
      await f.runtime.store.projects.create(projectInput('web'));
      await f.runtime.store.projects.create(projectInput('api', { initScript: '#!/bin/sh\necho api\n' }));
      const events: BakeEvent[] = [];
      f.runtime.engine.subscribe((e) => events.push(e));
      const tokens = {
        web: (await secretsOf(f.state, 'web')).token,
        api: (await secretsOf(f.state, 'api')).token,
      };
      const answers = await Promise.all(
        (['web', 'api'] as const).map((p) =>
          fetch(`${f.url}/hooks/${p}`, { method: 'POST', headers: bearer(tokens[p]) }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      const ids = await Promise.all(
        answers.map(async (a) => ((await a.json()) as { bakeId: string }).bakeId),
      );
      const finals = await Promise.all(ids.map((id) => f.runtime.engine.waitForFinal(id)));
      expect(finals.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      const waited = events.filter(
        (e) => e.type === 'status' && e.status === 'queued' && /free slot/.test(e.message ?? ''),
      );
      expect(waited.length).toBeGreaterThan(0);
    } finally {
      await f.close();
    }
  });

  it('bakes a push sent to two listeners on one data directory once', async () => {
    const a = await webhookFixture({ limits: { perMinute: 1000 } });
    const b = await webhookFixture({ dataDir: a.dataDir, limits: { perMinute: 1000 } });
    try {
      await a.runtime.store.projects.create(projectInput('web'));
      const { github } = await secretsOf(a.state, 'web');
      const bodies = Array.from({ length: 5 }, () => JSON.stringify(pushPayload('main')));
      const answers = await Promise.all(
        bodies.map((body) =>
          Promise.all(
            [a, b].map(async (s) => {
              const response = await postGithub(s.url, 'web', { secret: github, body });
              return { s, status: response.status, body: (await response.json()) as Answer['body'] };
            }),
          ),
        ),
      );
      for (const pair of answers) {
        expect(pair.map((r) => r.status).sort()).toEqual([200, 202]);
        expect(pair[0]!.body.bakeId).toBe(pair[1]!.body.bakeId);
      }
      const ids = [...new Set(answers.flat().map((r) => r.body.bakeId!))];
      const finals = await Promise.all(ids.map((id) => a.runtime.engine.waitForFinal(id)));
      expect(finals.map((r) => r.status)).toEqual(ids.map(() => 'succeeded'));
      // Whichever listener took them, the project's webhook bakes ran one at a time.
      expect(await a.runtime.engine.list({ project: 'web' })).toHaveLength(ids.length);
      expectOneAtATime(finals);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
