import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import { bearer, projectInput, pushPayload, secretsOf, webhookFixture, type WebhookFixture } from './helpers';
import { RawClient, post, postHead } from './raw-http';

let f: WebhookFixture;
let web: { token: string; github: string };
let port: number;

beforeAll(async () => {
  f = await webhookFixture({ limits: { perMinute: 1000 } });
  await f.runtime.store.projects.create(projectInput('web'));
  web = await secretsOf(f.state, 'web');
  port = f.server.port;
});
afterAll(async () => {
  await f?.close();
});

const MiB = 1024 * 1024;

describe('before authentication', () => {
  it('answers 401 without waiting for the body when no credential header is present', async () => {
    const client = await RawClient.open(port, '127.0.0.11');
    // A megabyte is announced and never sent: the answer must not wait for it.
    client.write(
      postHead('/hooks/web', { 'content-type': 'application/json', 'content-length': String(MiB) }),
    );
    expect(await client.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 401');
    expect(client.received).toMatch(/\r\nconnection: close\r\n/i);
    await client.closed;
  });

  it('checks a bearer token before reading the body', async () => {
    const client = await RawClient.open(port, '127.0.0.11');
    client.write(postHead('/hooks/web', { ...bearer('qxt_wrong'), 'content-length': String(MiB) }));
    expect(await client.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 401');
    await client.closed;
  });

  it('refuses a declared size over the limit before reading, once a credential is there', async () => {
    const client = await RawClient.open(port, '127.0.0.11');
    client.write(
      postHead('/hooks/web', { 'x-hub-signature-256': 'sha256=00', 'content-length': String(2 * MiB) }),
    );
    expect(await client.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 413');
    await client.closed;
  });

  it('says 100 Continue only to a request whose body is wanted', async () => {
    const refused = await RawClient.open(port, '127.0.0.12');
    refused.write(postHead('/hooks/web', { expect: '100-continue', 'content-length': '100000' }));
    expect(await refused.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 401');
    await refused.closed;
    expect(refused.received).not.toContain('100 Continue');

    const body = JSON.stringify(pushPayload('main'));
    const welcome = await RawClient.open(port, '127.0.0.12');
    welcome.write(
      postHead('/hooks/web', {
        expect: '100-continue',
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': await sign(web.github, body),
        'content-length': String(Buffer.byteLength(body)),
      }),
    );
    await welcome.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    welcome.write(body);
    await welcome.waitFor(/HTTP\/1\.1 202 Accepted/);
    welcome.close();
    const bakeId = /"bakeId":"(bk_\w+)"/.exec(welcome.received)?.[1];
    expect(bakeId).toBeDefined();
    await f.runtime.engine.waitForFinal(bakeId!);
  });
});

describe('connections', () => {
  it('caps them per address and in all, closing the extra ones on arrival', async () => {
    const g = await webhookFixture({ limits: { maxConnections: 5, maxConnectionsPerAddress: 3 } });
    const clients: RawClient[] = [];
    try {
      const open = async (from: string) => {
        const client = await RawClient.open(g.server.port, from);
        clients.push(client);
        return client;
      };
      // Each accepted connection proves it with an answer; a dropped one is closed without one.
      const answers = async (client: RawClient) => {
        client.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        return client.waitFor(/HTTP\/1\.1 200/).then(
          () => true,
          () => false,
        );
      };
      const a = [await open('127.0.0.21'), await open('127.0.0.21'), await open('127.0.0.21')];
      const overAddress = await open('127.0.0.21');
      await overAddress.closed;
      const b = [await open('127.0.0.22'), await open('127.0.0.22')];
      const overAll = await open('127.0.0.23');
      expect(await Promise.all([...a, ...b].map(answers))).toEqual([true, true, true, true, true]);
      await overAll.closed;
      expect(overAddress.received).toMatch(/^HTTP\/1\.1 503 /);
      expect(overAll.received).toBe('');
      expect(g.server.metrics()).toMatchObject({ openConnections: 5, droppedConnections: 2 });
      // Room again once one goes.
      a[0]!.close();
      await a[0]!.closed;
      await expect.poll(() => g.server.metrics().openConnections).toBe(4);
      expect(await answers(await open('127.0.0.23'))).toBe(true);
    } finally {
      for (const client of clients) client.close();
      await g.close();
    }
  });

  it('closes silent and half-sent connections once the headers timeout passes', async () => {
    const limits = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, timeoutCheckMs: 200 };
    const g = await webhookFixture({ limits });
    try {
      const silent = await Promise.all(
        Array.from({ length: 12 }, (_, i) => RawClient.open(g.server.port, `127.0.0.${30 + (i % 4)}`)),
      );
      const halfSent = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const client = await RawClient.open(g.server.port, `127.0.0.${40 + (i % 4)}`);
          client.write('POST /hooks/web HTTP/1.1\r\nHost: x\r\n');
          return client;
        }),
      );
      const slowBody = await RawClient.open(g.server.port, '127.0.0.44');
      slowBody.write(postHead('/hooks/web', { ...bearer(web.token), 'content-length': '100' }));
      const all = [...silent, ...halfSent];
      await Promise.all(all.map((c) => c.closed));
      await slowBody.closed;
      const slowest = Math.max(...all.map((c) => c.closedAt! - c.openedAt));
      console.info(
        `webhook limits: 24 idle connections closed within ${Math.round(slowest)} ms (headers timeout 1000 ms)`,
      );
      // The timeout plus its check interval, with room for a busy machine; Node's defaults (60 s, checked
      // every 30 s) would not get near this.
      expect(slowest).toBeLessThan(limits.headersTimeoutMs + limits.timeoutCheckMs + 4000);
      expect(g.server.metrics().openConnections).toBe(0);
    } finally {
      await g.close();
    }
  });
});

describe('failed authentication', () => {
  it('is throttled per address: past the burst an address gets 429, others are unaffected', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const g = await webhookFixture({ clock, limits: { failedAuthBurst: 3, failedAuthRefillMs: 10_000 } });
    try {
      await g.runtime.store.projects.create(projectInput('web'));
      const { token } = await secretsOf(g.state, 'web');
      const hook = `${g.url}/hooks/web`;
      const from = (address: string, secret: string) =>
        post(hook, { from: address, headers: bearer(secret) });
      for (let i = 0; i < 3; i++) expect((await from('127.0.0.51', 'qxt_guess')).status).toBe(401);
      const blocked = await from('127.0.0.51', 'qxt_guess');
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toBe('10');
      // Refused before anything is looked up, the right token included.
      expect((await from('127.0.0.51', token)).status).toBe(429);
      const elsewhere = await from('127.0.0.52', token);
      expect(elsewhere.status).toBe(202);
      await clock.advance(10_000);
      const later = await from('127.0.0.51', token);
      expect(later.status).toBe(202);
      for (const r of [elsewhere, later]) await g.runtime.engine.waitForFinal(JSON.parse(r.body).bakeId);
    } finally {
      await g.close();
    }
  });

  it('is counted for the project, not written to its deliveries log', async () => {
    const g = await webhookFixture();
    try {
      await g.runtime.store.projects.create(projectInput('web'));
      await secretsOf(g.state, 'web');
      for (let i = 0; i < 5; i++)
        expect(
          (await post(`${g.url}/hooks/web`, { from: `127.0.0.${60 + i}`, headers: bearer('qxt_x') })).status,
        ).toBe(401);
      expect(
        (await post(`${g.url}/hooks/nope`, { from: '127.0.0.66', headers: bearer('qxt_x') })).status,
      ).toBe(401);
      // No credential at all: answered before anything is looked up, so counted for the listener only.
      expect((await post(`${g.url}/hooks/web`, { from: '127.0.0.67' })).status).toBe(401);
      expect(g.server.metrics().refused).toBe(7);
    } finally {
      // Closing writes what was counted.
      await g.server.close();
    }
    expect(await g.state.refusals('web')).toMatchObject({ count: 5, byStatus: { 401: 5 } });
    expect(await g.state.refusals('nope')).toBeUndefined();
    expect(await g.state.deliveries.list('web')).toEqual([]);
    await g.close();
  });
});

describe('bodies', () => {
  it('beyond a small size are read only within the body budget; past it a request is answered 503 before its body', async () => {
    const g = await webhookFixture({
      limits: { bodyBudgetBytes: 200_000, bodyBudgetPerAddressBytes: 100_000 },
    });
    const clients: RawClient[] = [];
    try {
      await g.runtime.store.projects.create(projectInput('web'));
      const { github } = await secretsOf(g.state, 'web');
      const head = async (from: string, length = 100_000) => {
        const client = await RawClient.open(g.server.port, from);
        clients.push(client);
        client.write(
          postHead('/hooks/web', {
            expect: '100-continue',
            'x-hub-signature-256': await sign(github, 'x'),
            'content-length': String(length),
          }),
        );
        return client;
      };
      const first = await head('127.0.0.71');
      await first.waitFor(/100 Continue/);
      const sameAddress = await head('127.0.0.71');
      expect(await sameAddress.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 503');
      const second = await head('127.0.0.72');
      await second.waitFor(/100 Continue/);
      const third = await head('127.0.0.73');
      expect(await third.waitFor(/^HTTP\/1\.1 \d+/)).toBe('HTTP/1.1 503');
      // A small body (a typical push) is read all the same.
      const small = await head('127.0.0.74', 5_000);
      await small.waitFor(/100 Continue/);
      // A body read to the end frees its share.
      first.write(Buffer.alloc(100_000, 0x20));
      await first.waitFor(/HTTP\/1\.1 401/);
      const fourth = await head('127.0.0.73');
      await fourth.waitFor(/100 Continue/);
    } finally {
      for (const client of clients) client.close();
      await g.close();
    }
  });
});
