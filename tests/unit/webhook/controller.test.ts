import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/main/app/app-context';
import { createAppContext } from '../../../src/main/app/create-app-context';
import { dispatch } from '../../../src/main/app/dispatch';
import { createHandlers } from '../../../src/main/app/handlers';
import { closeWebhook } from '../../../src/main/app/webhook-controller';
import { systemClock } from '../../../src/main/services/clock';
import { silentLogger } from '../../../src/main/services/logger';
import { safeStorageBox } from '../../../src/main/services/webhook';
import type {
  EventChannel,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
} from '../../../src/shared/contract';
import type { WebhookStatus } from '../../../src/shared/ipc/webhook.contract';
import { FAST_TIMINGS, Recorder, projectInput } from './helpers';
import { makeCertificate } from './tls-files';

let ctx: AppContext;
let dataDir: string;
const recorder = new Recorder<{ channel: EventChannel; payload: unknown }>();
let call: <C extends InvokeChannel>(channel: C, request: InvokeRequest<C>) => Promise<InvokeResponse<C>>;
let failure: (channel: InvokeChannel, request: unknown) => Promise<string | undefined>;

/** Stands in for Electron's safeStorage, as the Electron shell would pass it. */
const keychain = safeStorageBox({
  encryptString: (text) => Buffer.from(text).reverse(),
  decryptString: (data) => Buffer.from(data).reverse().toString(),
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The next status event (after the call that causes it) for which `match` holds. */
function nextStatus(match: (status: WebhookStatus) => boolean): Promise<WebhookStatus> {
  return recorder
    .next((e) => e.channel === 'webhook:status-changed' && match(e.payload as WebhookStatus))
    .then((e) => e.payload as WebhookStatus);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'qx-webhook-app-'));
  await writeFile(join(dataDir, 'aws-config'), '');
  let stored: unknown = {};
  ctx = createAppContext({
    dataDir,
    clock: systemClock,
    logger: silentLogger,
    settingsBackend: { read: () => stored, write: (settings) => void (stored = settings) },
    openExternal: () => Promise.resolve(),
    secretBox: keychain,
    runtime: {
      env: {
        AWS_CONFIG_FILE: join(dataDir, 'aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'aws-config'),
      },
      sandbox: { timings: FAST_TIMINGS, seed: 'webhook-app' },
      pollIntervalMs: 25,
    },
  });
  const handlers = createHandlers(ctx);
  ctx.hub.attach({
    id: 1,
    isDestroyed: () => false,
    send: (channel, payload) => recorder.push({ channel, payload }),
  });
  ctx.hub.markReady(1);
  call = async (channel, request) => {
    const result = await dispatch(handlers, channel, request, { senderId: 1 }, silentLogger);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as never;
  };
  failure = async (channel, request) => {
    const result = await dispatch(handlers, channel, request, { senderId: 1 }, silentLogger);
    return result.ok ? undefined : result.error.code;
  };
  await ctx.runtime.store.projects.create(projectInput('web'));
});
afterAll(async () => {
  await closeWebhook(ctx);
  await ctx.runtime.close();
  await rm(dataDir, { recursive: true, force: true });
});

// Patches carry the whole webhook object: SettingsPatchSchema fills omitted siblings with their defaults.
describe('the app’s webhook listener', () => {
  it('is off by default, and follows Settings: on, moved to another port, off', async () => {
    expect(await call('webhook:status', undefined)).toMatchObject({
      enabled: false,
      state: 'off',
      host: '127.0.0.1',
      exposed: false,
      secretBox: 'safe-storage',
    });
    const port = await freePort();
    const started = nextStatus((s) => s.state === 'listening');
    await call('settings:update', { webhook: { enabled: true, host: '127.0.0.1', port } });
    await started;
    const listening = await call('webhook:status', undefined);
    expect(listening).toMatchObject({ state: 'listening', url: `http://127.0.0.1:${port}` });
    expect((await fetch(`${listening.url}/healthz`)).status).toBe(200);

    const moved = await freePort();
    const restarted = nextStatus((s) => s.state === 'listening' && s.port === moved);
    await call('settings:update', { webhook: { enabled: true, host: '127.0.0.1', port: moved } });
    await restarted;
    expect((await fetch(`http://127.0.0.1:${moved}/healthz`)).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const stopped = nextStatus((s) => s.state === 'off');
    await call('settings:update', { webhook: { enabled: false, host: '127.0.0.1', port: moved } });
    await stopped;
    await expect(fetch(`http://127.0.0.1:${moved}/healthz`)).rejects.toThrow();
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failed = nextStatus((s) => s.state === 'error');
      await call('settings:update', { webhook: { enabled: true, host: '127.0.0.1', port } });
      await failed;
      expect(await call('webhook:status', undefined)).toMatchObject({
        state: 'error',
        error: expect.stringContaining('already in use'),
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('refuses all interfaces over plain HTTP, unless allowed; marks such a listener as exposed', async () => {
    const port = await freePort();
    const refused = nextStatus((s) => s.state === 'error');
    await call('settings:update', { webhook: { enabled: true, host: '0.0.0.0', port } });
    expect((await refused).error).toMatch(/plain HTTP.*TLS certificate and key/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const exposed = nextStatus((s) => s.state === 'listening' && s.exposed);
    await call('settings:update', { webhook: { insecure: true } });
    await exposed;
    expect(await call('webhook:status', undefined)).toMatchObject({
      exposed: true,
      tls: false,
      url: `http://127.0.0.1:${port}`,
    });
    const loopback = nextStatus((s) => s.state === 'listening' && !s.exposed);
    await call('settings:update', { webhook: { host: '127.0.0.1', insecure: false } });
    await loopback;
  });

  it('serves HTTPS with the certificate and key in Settings, and hands out the public URL', async () => {
    const files = await makeCertificate(dataDir, 'app');
    const port = await freePort();
    const secured = nextStatus((s) => s.state === 'listening' && s.tls);
    await call('settings:update', {
      webhook: { enabled: true, host: '0.0.0.0', port, tls: files, publicUrl: 'https://ci.example.com/qx' },
    });
    expect(await secured).toMatchObject({
      exposed: true,
      url: `https://127.0.0.1:${port}`,
      publicUrl: 'https://ci.example.com/qx',
    });
    expect((await call('webhook:triggers', 'web')).url).toBe('https://ci.example.com/qx/hooks/web');
    const half = nextStatus((s) => s.state === 'error');
    await call('settings:update', { webhook: { tls: { certFile: files.certFile, keyFile: '' } } });
    expect((await half).error).toMatch(/both a TLS certificate and its private key/);
    const back = nextStatus((s) => s.state === 'listening' && !s.tls);
    await call('settings:update', {
      webhook: { host: '127.0.0.1', tls: { certFile: '', keyFile: '' }, publicUrl: '' },
    });
    await back;
  });
});

describe('the webhook channels', () => {
  it('makes each secret on request, never sends it again, and bakes with the chosen profile', async () => {
    expect(await failure('webhook:triggers', 'nope')).toBe('NOT_FOUND');
    const before = await call('webhook:triggers', 'web');
    expect(before).toMatchObject({
      project: 'web',
      token: { set: false },
      githubSecret: { set: false, usable: false },
      legacyTokenRetired: false,
      branches: [],
      deliveries: [],
    });
    expect(before.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/web$/);
    expect(before.profiles).toContain('sandbox');
    expect(before.effectiveProfile).toBeUndefined();
    expect(await failure('webhook:rotate', { project: 'web', secret: 'password' })).toBe('INVALID_INPUT');

    const { secret: token } = await call('webhook:rotate', { project: 'web', secret: 'token' });
    const { secret: github } = await call('webhook:rotate', { project: 'web', secret: 'github' });
    expect(token).toMatch(/^qxt_/);
    expect(github).toMatch(/^qxg_/);
    const after = await call('webhook:triggers', 'web');
    expect(after).toMatchObject({ token: { set: true }, githubSecret: { set: true, usable: true } });
    expect(JSON.stringify(after)).not.toContain(token);
    expect(JSON.stringify(after)).not.toContain(github);

    const withProfile = await call('webhook:set-profile', { project: 'web', profile: 'sandbox' });
    expect(withProfile).toMatchObject({ profile: 'sandbox', effectiveProfile: 'sandbox' });

    const delivered = recorder.next((e) => e.channel === 'webhook:delivery');
    const response = await fetch(after.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(202);
    const { bakeId } = (await response.json()) as { bakeId: string };
    expect((await delivered).payload).toMatchObject({
      project: 'web',
      delivery: { event: 'trigger', outcome: 'baked', bakeId, status: 202 },
    });
    expect((await call('webhook:deliveries', 'web'))[0]).toMatchObject({ bakeId });
    expect((await ctx.runtime.engine.waitForFinal(bakeId)).status).toBe('succeeded');

    const cleared = await call('webhook:set-profile', { project: 'web', profile: null });
    expect(cleared.profile).toBeUndefined();
    await call('settings:update', { profile: 'sandbox' });
    expect((await call('webhook:triggers', 'web')).effectiveProfile).toBe('sandbox');
  });

  it('seals the GitHub secret with the box the shell passed in, and keeps only a hash of the token', async () => {
    const { secret: github } = await call('webhook:rotate', { project: 'web', secret: 'github' });
    const { secret: token } = await call('webhook:rotate', { project: 'web', secret: 'token' });
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(join(dataDir, 'webhook', 'triggers', 'web.json'), 'utf8');
    const file = JSON.parse(text);
    expect(file.githubSecret.sealedBy.box).toBe('safe-storage');
    expect(Buffer.from(file.githubSecret.sealed, 'base64').reverse().toString()).toBe(github);
    expect(text).not.toContain(token);
    expect(file.token.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('moves the secrets with a renamed project and forgets them with a deleted one', async () => {
    await call('projects:create', { project: projectInput('blue') });
    const { secret } = await call('webhook:rotate', { project: 'blue', secret: 'token' });
    const oldUrl = (await call('webhook:triggers', 'blue')).url;
    const post = (url: string) =>
      fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });

    await call('projects:rename', { from: 'blue', to: 'green' });
    const green = await call('webhook:triggers', 'green');
    expect(green).toMatchObject({ token: { set: true } });
    const moved = await post(green.url);
    expect(moved.status).toBe(202);
    expect(
      (await ctx.runtime.engine.waitForFinal(((await moved.json()) as { bakeId: string }).bakeId)).status,
    ).toBe('succeeded');
    expect((await call('webhook:triggers', 'green')).deliveries[0]).toMatchObject({ outcome: 'baked' });
    // A new project under the old name does not inherit the secret, and the old URL bakes nothing.
    await call('projects:create', { project: projectInput('blue') });
    expect(await call('webhook:triggers', 'blue')).toMatchObject({ token: { set: false }, deliveries: [] });
    expect((await post(oldUrl)).status).toBe(401);

    await call('projects:delete', { name: 'green' });
    await call('projects:create', { project: projectInput('green') });
    expect(await call('webhook:triggers', 'green')).toMatchObject({ token: { set: false }, deliveries: [] });
    expect((await post(green.url)).status).toBe(401);
  });
});
