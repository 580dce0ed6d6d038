import { once } from 'node:events';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';
import { startWebhookServer, type ListenOptions } from '../../../src/main/services/webhook';
import { bearer, projectInput, secretsOf, webhookFixture, type WebhookFixture } from './helpers';
import { RawClient } from './raw-http';
import { makeCertificate } from './tls-files';

let dir: string;

function httpsPost(
  url: string,
  ca: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The common name of the certificate the listener presents now. */
async function servedName(port: number): Promise<string> {
  const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const name = socket.getPeerCertificate().subject.CN;
  socket.destroy();
  return String(name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-webhook-tls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  let f: WebhookFixture;
  let files: { certFile: string; keyFile: string };
  afterAll(async () => {
    await f?.close();
  });

  it('serves the hooks over TLS with the certificate and key given', async () => {
    files = await makeCertificate(dir, 'first');
    f = await webhookFixture({
      listen: { tls: files, tlsReloadCheckMs: 100 },
      limits: { tlsHandshakeTimeoutMs: 500 },
    });
    expect(f.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(f.server.tls).toBe(true);
    await f.runtime.store.projects.create(projectInput('web'));
    const { token } = await secretsOf(f.state, 'web');
    const answer = await httpsPost(`${f.url}/hooks/web`, await readFile(files.certFile), bearer(token));
    expect(answer.status).toBe(202);
    const { bakeId } = JSON.parse(answer.body) as { bakeId: string };
    expect(answer.location).toBe(`${f.url}/bakes/${bakeId}`);
    await f.runtime.engine.waitForFinal(bakeId);
  });

  it('closes a connection that never starts its handshake', async () => {
    const silent = await RawClient.open(f.server.port);
    await silent.closed;
    expect(silent.closedAt! - silent.openedAt).toBeLessThan(500 + 4000);
  });

  it('takes a renewed certificate without a restart', async () => {
    expect(await servedName(f.server.port)).toBe('first');
    const renewed = await makeCertificate(dir, 'second');
    await rename(renewed.keyFile, files.keyFile);
    await rename(renewed.certFile, files.certFile);
    await expect.poll(() => servedName(f.server.port), { timeout: 10_000 }).toBe('second');
  });
});

describe('listening beyond this computer', () => {
  const deps = async () => {
    const f = await webhookFixture();
    return {
      f,
      deps: {
        state: f.state,
        projects: f.runtime.store.projects,
        bakes: f.runtime.store.bakes,
        engine: f.runtime.engine,
        clock: systemClock,
        logger: silentLogger,
        defaultProfile: () => 'sandbox',
      },
    };
  };

  it('is refused over plain HTTP, unless asked for explicitly; with TLS it is allowed', async () => {
    const { f, deps: d } = await deps();
    try {
      const listen = (options: Partial<ListenOptions>) => startWebhookServer(d, { port: 0, ...options });
      await expect(listen({ host: '0.0.0.0' })).rejects.toThrow(/plain HTTP.*TLS/);
      const insecure = await listen({ host: '0.0.0.0', insecure: true });
      expect((await fetch(`${insecure.url}/healthz`)).status).toBe(200);
      await insecure.close();
      const tls = await listen({ host: '0.0.0.0', tls: await makeCertificate(dir, 'all') });
      expect(tls.url).toMatch(/^https:/);
      await tls.close();
    } finally {
      await f.close();
    }
  });

  it('says which TLS file is wrong', async () => {
    const { f, deps: d } = await deps();
    try {
      const one = await makeCertificate(dir, 'one');
      const two = await makeCertificate(dir, 'two');
      await expect(
        startWebhookServer(d, { port: 0, tls: { certFile: join(dir, 'nope.crt'), keyFile: one.keyFile } }),
      ).rejects.toThrow(/Cannot read the TLS certificate .*nope\.crt: no such file/);
      await expect(
        startWebhookServer(d, { port: 0, tls: { certFile: one.certFile, keyFile: two.keyFile } }),
      ).rejects.toThrow(/certificate .*one\.crt and key .*two\.key cannot be used/);
    } finally {
      await f.close();
    }
  });
});
