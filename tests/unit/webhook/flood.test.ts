import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_LIMITS } from '../../../src/main/services/webhook';
import {
  postGithub,
  projectInput,
  pushPayload,
  secretsOf,
  webhookFixture,
  type WebhookFixture,
} from './helpers';
import { RawClient, postHead } from './raw-http';

const MiB = 1024 * 1024;
/**
 * Growth of JavaScript heap and buffers while the flood lasts. This process holds the flood's clients too,
 * so the bound is loose; the old listener took in 120 MiB of bodies here alone. `serve`'s own peak RSS
 * under a flood is measured on its own in tests/built/serve-flood.test.ts.
 */
const MEMORY_BOUND_BYTES = 96 * MiB;

let f: WebhookFixture;
let github: string;

beforeAll(async () => {
  // The default limits, with the headers timeout shortened so the flood ends in a few seconds.
  f = await webhookFixture({
    limits: { headersTimeoutMs: 2000, requestTimeoutMs: 4000, timeoutCheckMs: 250 },
  });
  await f.runtime.store.projects.create(projectInput('web'));
  ({ github } = await secretsOf(f.state, 'web'));
});
afterAll(async () => {
  await f?.close();
});

/** Peak growth over the baseline, sampled while `work` runs. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; heap: number }> {
  const before = process.memoryUsage();
  const peak = { rss: before.rss, heap: before.heapUsed + before.external };
  const sample = () => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heap = Math.max(peak.heap, now.heapUsed + now.external);
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    return { result, rss: peak.rss - before.rss, heap: peak.heap - (before.heapUsed + before.external) };
  } finally {
    clearInterval(timer);
  }
}

describe('a bounded flood on loopback', () => {
  it('keeps memory bounded, closes idle connections, reads no unauthenticated body, and still takes a real delivery', async () => {
    const port = f.server.port;
    const megabyte = Buffer.alloc(MiB, 0x20);
    const { headersTimeoutMs, timeoutCheckMs } = { headersTimeoutMs: 2000, timeoutCheckMs: 250 };
    const before = f.server.metrics();
    const { result, rss, heap } = await peakGrowth(async () => {
      // 160 silent connections from 8 addresses: each address gets 16 (the per-address cap), the rest are dropped.
      const idle = await Promise.all(
        Array.from({ length: 160 }, (_, i) => RawClient.open(port, `127.0.1.${1 + (i % 8)}`)),
      );
      // 100 unauthenticated 1 MiB bodies from 10 addresses, and 20 with a forged signature from 5 more.
      const bodies = (count: number, addresses: string, headers: Record<string, string>) =>
        Array.from({ length: count }, async (_, i) => {
          const client = await RawClient.open(port, `${addresses}.${1 + (i % 10)}`);
          client.write(postHead('/hooks/web', { ...headers, 'content-length': String(MiB) }));
          client.write(megabyte);
          await client.closed;
          return client;
        });
      const unauthenticated = bodies(100, '127.0.2', { 'content-type': 'application/json' });
      const forged = bodies(20, '127.0.3', { 'x-hub-signature-256': await sign('guess', 'x') });
      // Meanwhile, GitHub.
      const delivery = postGithub(`http://127.0.0.1:${port}`, 'web', {
        secret: github,
        payload: pushPayload('main'),
        delivery: 'during-the-flood',
      });
      const answered = await delivery;
      const floods = await Promise.all([...unauthenticated, ...forged]);
      await Promise.all(idle.map((c) => c.closed));
      return { answered, idle, floods };
    });
    const { answered, idle, floods } = result;
    const after = f.server.metrics();

    expect(answered.status).toBe(202);
    const { bakeId } = (await answered.json()) as { bakeId: string };
    expect((await f.runtime.engine.waitForFinal(bakeId)).status).toBe('succeeded');

    // Every flood request was answered (401, or 503 past the body budget) or cut, never let through.
    for (const client of floods) expect(client.received).not.toMatch(/HTTP\/1\.1 20\d/);
    expect(floods.slice(0, 100).every((c) => /^HTTP\/1\.1 401/.test(c.received) || c.received === '')).toBe(
      true,
    );

    // Idle connections: those over the per-address cap were dropped on arrival, the others closed by the
    // headers timeout.
    const accepted = idle.filter((c) => c.received.startsWith('HTTP/1.1 408'));
    expect(accepted).toHaveLength(8 * DEFAULT_WEBHOOK_LIMITS.maxConnectionsPerAddress);
    expect(after.droppedConnections - before.droppedConnections).toBeGreaterThanOrEqual(
      160 - accepted.length,
    );
    const slowest = Math.max(...accepted.map((c) => c.closedAt! - c.openedAt));
    expect(slowest).toBeLessThan(headersTimeoutMs + timeoutCheckMs + 4000);

    // Unauthenticated bodies were not read: all the listener took in is the forged-signature bodies (read
    // within the body budget, then refused) plus at most a socket buffer or two per refused request.
    const received = after.bytesReceived - before.bytesReceived;
    expect(received).toBeLessThan(20 * MiB + 100 * 256 * 1024 + MiB);

    console.info(
      `webhook flood: ${idle.length} idle connections (${accepted.length} accepted, slowest closed after ` +
        `${Math.round(slowest)} ms), 100 unauthenticated and 20 forged 1 MiB bodies; the listener read ` +
        `${(received / MiB).toFixed(1)} MiB in all; process growth: heap+external ${(heap / MiB).toFixed(1)} MiB (bound ${MEMORY_BOUND_BYTES / MiB}), ` +
        `rss ${(rss / MiB).toFixed(1)} MiB (clients included); the delivery sent during it got 202`,
    );
    expect(heap).toBeLessThan(MEMORY_BOUND_BYTES);
  });
});
