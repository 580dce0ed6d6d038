import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeEvent } from '../../../src/shared/bake';
import { VirtualClock } from '../../../src/main/services/clock';
import { postGithub, projectInput, pushPayload, webhookFixture, type WebhookFixture } from './helpers';

describe('50 concurrent deliveries', () => {
  let f: WebhookFixture;
  let secret: string;
  beforeAll(async () => {
    // The limiter is per project per minute; 50 deliveries in a second would trip the default of 12, and
    // this test is about losing nothing and baking nothing twice, so the limit is lifted here.
    f = await webhookFixture({ limits: { perMinute: 1000 } });
    await f.runtime.store.projects.create(projectInput('web'));
    secret = await f.state.triggers.rotate('web');
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers every one, bakes each delivery id once, and refuses the repeats', async () => {
    // What a busy repository sends in a burst: 10 pushes to main (each baked once), the same 10 again
    // (GitHub redelivering), 15 pushes to other branches (ignored) and 15 pings — interleaved.
    const pushes = Array.from({ length: 10 }, (_, i) => ({ id: `load-${i}`, branch: 'main', event: 'push' }));
    const sends = [
      ...pushes,
      ...pushes,
      ...Array.from({ length: 15 }, (_, i) => ({
        id: `load-other-${i}`,
        branch: `feature-${i}`,
        event: 'push',
      })),
      ...Array.from({ length: 15 }, (_, i) => ({ id: `load-ping-${i}`, branch: 'main', event: 'ping' })),
    ]
      .map((send, i) => ({ ...send, order: (i * 37) % 50 }))
      .sort((a, b) => a.order - b.order);
    const started = performance.now();
    const answers = await Promise.all(
      sends.map(async ({ id, branch, event }) => {
        const response = await postGithub(f.url, 'web', {
          secret,
          event,
          payload: pushPayload(branch),
          delivery: id,
        });
        return {
          id,
          status: response.status,
          body: (await response.json()) as { bakeId?: string; duplicate?: boolean; ignored?: boolean },
        };
      }),
    );
    const answeredMs = performance.now() - started;
    const baked = answers.filter((a) => a.status === 202);
    const duplicates = answers.filter((a) => a.status === 200 && a.body.duplicate);
    expect(answers).toHaveLength(50);
    expect(baked).toHaveLength(10);
    expect(duplicates).toHaveLength(10);
    expect(answers.filter((a) => a.body.ignored)).toHaveLength(15);
    expect(new Set(baked.map((a) => a.id)).size).toBe(10);
    expect(new Set(baked.map((a) => a.body.bakeId)).size).toBe(10);
    // Every duplicate names the bake its first delivery started (or came while that one was starting).
    for (const d of duplicates) {
      const first = baked.find((a) => a.id === d.id);
      if (d.body.bakeId) expect(d.body.bakeId).toBe(first?.body.bakeId);
    }

    await f.deliveries.count(50, (d) => d.delivery.delivery?.startsWith('load-') ?? false);
    const log = (await f.state.deliveries.list('web', 500)).filter((d) => d.delivery?.startsWith('load-'));
    expect(log).toHaveLength(50);
    expect(log.filter((d) => d.outcome === 'baked')).toHaveLength(10);
    expect(log.filter((d) => d.outcome === 'duplicate')).toHaveLength(10);

    const finals = await Promise.all(baked.map((a) => f.runtime.engine.waitForFinal(a.body.bakeId!)));
    expect(finals.every((r) => r.status === 'succeeded')).toBe(true);
    expect(await f.runtime.engine.list({ project: 'web' })).toHaveLength(10);
    // Identical bakes started together share one builder (the engine joins them).
    const leaders = finals.filter((r) => !r.joinedTo);
    console.info(
      `webhook load: 50 deliveries answered in ${Math.round(answeredMs)} ms; ${baked.length} bakes started ` +
        `(${leaders.length} builder${leaders.length === 1 ? '' : 's'}, the rest joined), ${duplicates.length} duplicates refused`,
    );
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After past the per-minute limit, and a refused delivery can be redelivered later', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const f = await webhookFixture({ limits: { perMinute: 2 }, clock });
    try {
      await f.runtime.store.projects.create(projectInput('web'));
      const secret = await f.state.triggers.rotate('web');
      const push = (delivery: string) =>
        postGithub(f.url, 'web', { secret, payload: pushPayload('main'), delivery });
      expect((await push('r-1')).status).toBe(202);
      await clock.advance(10_000);
      expect((await push('r-2')).status).toBe(202);
      const limited = await push('r-3');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('50');
      // Pings and ignored pushes cost nothing.
      expect((await postGithub(f.url, 'web', { secret, event: 'ping', payload: {} })).status).toBe(200);
      await clock.advance(50_000);
      const later = await push('r-3');
      expect(later.status).toBe(202);
      const bakes = await f.runtime.engine.list({ project: 'web' });
      expect(bakes).toHaveLength(3);
      await Promise.all(bakes.map((b) => f.runtime.engine.waitForFinal(b.id)));
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
      const tokens = { web: await f.state.triggers.rotate('web'), api: await f.state.triggers.rotate('api') };
      const answers = await Promise.all(
        (['web', 'api'] as const).map((p) =>
          fetch(`${f.url}/hooks/${p}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[p]}` } }),
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

  it('bakes a delivery sent to two listeners on one data directory once', async () => {
    const a = await webhookFixture({ limits: { perMinute: 1000 } });
    const b = await webhookFixture({ dataDir: a.dataDir, limits: { perMinute: 1000 } });
    try {
      await a.runtime.store.projects.create(projectInput('web'));
      const secret = await a.state.triggers.rotate('web');
      const ids = Array.from({ length: 5 }, (_, i) => `twin-${i}`);
      const answers = await Promise.all(
        ids.flatMap((id) =>
          [a, b].map(async (s) => {
            const response = await postGithub(s.url, 'web', {
              secret,
              payload: pushPayload('main'),
              delivery: id,
            });
            return { s, status: response.status, body: (await response.json()) as { bakeId?: string } };
          }),
        ),
      );
      const baked = answers.filter((r) => r.status === 202);
      expect(baked).toHaveLength(5);
      expect(answers.filter((r) => r.status === 200)).toHaveLength(5);
      expect(await a.runtime.engine.list({ project: 'web' })).toHaveLength(5);
      const finals = await Promise.all(baked.map((r) => r.s.runtime.engine.waitForFinal(r.body.bakeId!)));
      expect(finals.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
    } finally {
      await b.close();
      await a.close();
    }
  });
});
