import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/main/services/clock';
import { keyFileBox, openWebhookState } from '../../../src/main/services/webhook';
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
let api: { token: string; github: string };

beforeAll(async () => {
  // The rate limit is tested on its own; here it must not get in the way.
  f = await webhookFixture({ limits: { perMinute: 1000 } });
  await f.runtime.store.projects.create(projectInput('web'));
  await f.runtime.store.projects.create(
    projectInput('api', {
      triggers: { branches: ['release', 'prod'], environments: { prod: 'production' } },
      initScript: '#!/bin/sh\necho "api $APP_MODE"\n',
      env: { APP_MODE: 'staging' },
      environments: { production: { env: { APP_MODE: 'live' } } },
    }),
  );
  await f.runtime.store.projects.create(projectInput('docs', { initScript: '#!/bin/sh\necho docs\n' }));
  web = await secretsOf(f.state, 'web');
  api = await secretsOf(f.state, 'api');
});
afterAll(async () => {
  await f?.close();
});

async function deliveriesOf(project: string) {
  return f.state.deliveries.list(project, 500);
}

describe('POST /hooks/<project> from GitHub', () => {
  it('bakes a signed push end to end and answers 202 at once with the bake id and a status URL', async () => {
    const response = await postGithub(f.url, 'web', {
      secret: web.github,
      payload: pushPayload('main'),
      delivery: 'e2e-1',
    });
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body).toMatchObject({ bakeId: expect.stringMatching(/^bk_/), project: 'web', status: 'queued' });
    expect(body.statusUrl).toBe(`${f.url}/bakes/${body.bakeId}`);
    expect(response.headers.get('location')).toBe(body.statusUrl);

    const final = await f.runtime.engine.waitForFinal(body.bakeId);
    expect(final).toMatchObject({
      status: 'succeeded',
      trigger: 'webhook',
      profile: 'sandbox',
      region: 'eu-west-1',
    });
    expect(final.imageId).toMatch(/^ami-/);

    const status = await fetch(body.statusUrl, { headers: bearer(web.token) });
    expect(status.status).toBe(200);
    const view = await status.json();
    expect(view).toMatchObject({
      id: body.bakeId,
      status: 'succeeded',
      imageId: final.imageId,
      version: final.version,
    });
    expect(view.steps.map((s: { status: string }) => s.status)).not.toContain('failed');

    await f.deliveries.first((d) => d.delivery.delivery === 'e2e-1');
    expect((await deliveriesOf('web')).find((d) => d.delivery === 'e2e-1')).toMatchObject({
      event: 'push',
      outcome: 'baked',
      status: 202,
      bakeId: body.bakeId,
    });
  });

  it('refuses a wrong signature and a missing one with 401, starts nothing, and counts rather than logs them', async () => {
    const before = (await f.runtime.engine.list({ project: 'web' })).length;
    const logged = (await deliveriesOf('web')).length;
    const refused = f.server.metrics().refused;
    const wrong = await postGithub(f.url, 'web', {
      secret: 'not-the-secret',
      payload: pushPayload('main'),
      delivery: 'bad-1',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const missing = await postGithub(f.url, 'web', { payload: pushPayload('main'), delivery: 'bad-2' });
    expect(missing.status).toBe(401);
    // A signature over another body does not carry over.
    const replayed = await postGithub(f.url, 'web', {
      body: JSON.stringify(pushPayload('main')),
      signature: await sign(web.github, JSON.stringify(pushPayload('other'))),
    });
    expect(replayed.status).toBe(401);
    expect((await f.runtime.engine.list({ project: 'web' })).length).toBe(before);
    expect(f.server.metrics().refused).toBe(refused + 3);
    expect(await deliveriesOf('web')).toHaveLength(logged);
  });

  it('answers an unknown project exactly like a bad signature', async () => {
    const strip = async (r: Response) => {
      const headers: string[] = [];
      r.headers.forEach((value, key) => key !== 'date' && headers.push(`${key}: ${value}`));
      return { status: r.status, body: await r.text(), headers };
    };
    const unknown = await strip(
      await postGithub(f.url, 'nope', { secret: 'guess', payload: pushPayload('main') }),
    );
    const badSignature = await strip(
      await postGithub(f.url, 'web', { secret: 'guess', payload: pushPayload('main') }),
    );
    const noSecretYet = await strip(
      await postGithub(f.url, 'docs', { secret: 'guess', payload: pushPayload('main') }),
    );
    const notAName = await strip(
      await postGithub(f.url, '..%2Fetc', { secret: 'guess', payload: pushPayload('main') }),
    );
    expect(unknown).toEqual(badSignature);
    expect(noSecretYet).toEqual(badSignature);
    expect(notAName).toEqual(badSignature);
    expect(unknown.status).toBe(401);
  });

  it('answers ping with 200', async () => {
    const response = await postGithub(f.url, 'web', {
      secret: web.github,
      event: 'ping',
      payload: { zen: 'Design for failure.', hook_id: 1 },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: 'pong' });
  });

  it('acknowledges a push to another branch, a tag and other events without baking', async () => {
    const before = (await f.runtime.engine.list({ project: 'api' })).length;
    const other = await postGithub(f.url, 'api', {
      secret: api.github,
      payload: pushPayload('main'),
      delivery: 'branch-1',
    });
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({
      ignored: true,
      reason: 'branch main does not bake (only release, prod).',
    });
    const tag = await postGithub(f.url, 'api', {
      secret: api.github,
      payload: { ref: 'refs/tags/v1', repository: {} },
    });
    expect(tag.status).toBe(200);
    const issues = await postGithub(f.url, 'api', {
      secret: api.github,
      event: 'issues',
      payload: { action: 'opened' },
    });
    expect(issues.status).toBe(200);
    expect((await f.runtime.engine.list({ project: 'api' })).length).toBe(before);
    await f.deliveries.count(3, (d) => d.project === 'api');
    expect((await deliveriesOf('api')).find((d) => d.delivery === 'branch-1')).toMatchObject({
      outcome: 'ignored',
      detail: expect.stringContaining('branch main'),
    });
  });

  it('bakes a listed branch of a project that lists branches, in the environment the branch maps to', async () => {
    const response = await postGithub(f.url, 'api', { secret: api.github, payload: pushPayload('prod') });
    expect(response.status).toBe(202);
    const { bakeId } = await response.json();
    const final = await f.runtime.engine.waitForFinal(bakeId);
    expect([final.status, final.environment]).toEqual(['succeeded', 'production']);
    const console = await f.runtime.store.bakes.readConsole(bakeId);
    expect(console.some((l) => l.endsWith('api live'))).toBe(true);
    // An unmapped branch bakes the project's own values.
    const release = await postGithub(f.url, 'api', { secret: api.github, payload: pushPayload('release') });
    const other = await f.runtime.engine.waitForFinal((await release.json()).bakeId);
    expect([other.status, other.environment]).toEqual(['succeeded', undefined]);
  });

  it('refuses a body over 1 MB with 413, declared or streamed, before reading it all', async () => {
    const declared = await postGithub(f.url, 'web', {
      secret: web.github,
      body: `{"ref":"${'x'.repeat(1024 * 1024)}"}`,
    });
    expect(declared.status).toBe(413);
    const streamed = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        `${f.url}/hooks/web`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
            ...bearer(web.token),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // 16 MB offered; the server answers after a little over 1 MB and closes.
      let sent = 0;
      const pump = (): void => {
        while (sent < 16 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed).toBe(413);
  });

  it('answers malformed JSON with 400 and a form-encoded body with 415, once authenticated', async () => {
    const malformed = await postGithub(f.url, 'web', {
      secret: web.github,
      body: '{"ref": "refs/heads/main",',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: 'bad-request',
      message: 'The body is not valid JSON.',
    });
    const unsigned = await postGithub(f.url, 'web', { body: '{"ref": ' });
    expect(unsigned.status).toBe(401);
    const body = 'payload=%7B%7D';
    const form = await fetch(`${f.url}/hooks/web`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-hub-signature-256': await sign(web.github, body),
      },
      body,
    });
    expect(form.status).toBe(415);
  });
});

describe('POST /hooks/<project> with a bearer token (git hooks, CI)', () => {
  it('bakes with the token and no body, and refuses a wrong token', async () => {
    const ok = await fetch(`${f.url}/hooks/web`, { method: 'POST', headers: bearer(web.token) });
    expect(ok.status).toBe(202);
    const { bakeId } = await ok.json();
    expect((await f.runtime.engine.waitForFinal(bakeId)).status).toBe('succeeded');
    const wrong = await fetch(`${f.url}/hooks/web`, { method: 'POST', headers: bearer(`${web.token}x`) });
    expect(wrong.status).toBe(401);
    const otherProjects = await fetch(`${f.url}/hooks/api`, { method: 'POST', headers: bearer(web.token) });
    expect(otherProjects.status).toBe(401);
  });

  it('filters by the ref a git hook sends when the project lists branches', async () => {
    const post = (ref: string) =>
      fetch(`${f.url}/hooks/api`, {
        method: 'POST',
        headers: { ...bearer(api.token), 'content-type': 'application/json' },
        body: JSON.stringify({ ref }),
      });
    expect((await post('refs/heads/feature')).status).toBe(200);
    const release = await post('refs/heads/release');
    expect(release.status).toBe(202);
    await f.runtime.engine.waitForFinal((await release.json()).bakeId);
  });

  it('stops accepting the old token as soon as it is rotated, also when another process rotates it', async () => {
    const old = web.token;
    // Another process: its own state over the same files, as `quadraxis triggers web --rotate-token` would be.
    const cli = openWebhookState({
      dataDir: f.dataDir,
      box: keyFileBox(join(f.dataDir, 'webhook', 'secret.key')),
      clock: systemClock,
    });
    web.token = await cli.triggers.rotate('web', 'token');
    expect((await fetch(`${f.url}/hooks/web`, { method: 'POST', headers: bearer(old) })).status).toBe(401);
    const fresh = await fetch(`${f.url}/hooks/web`, { method: 'POST', headers: bearer(web.token) });
    expect(fresh.status).toBe(202);
    await f.runtime.engine.waitForFinal((await fresh.json()).bakeId);
  });
});

describe('GET /bakes/<id>, /healthz and everything else', () => {
  it('shows a bake only with its own project’s token', async () => {
    const started = await fetch(`${f.url}/hooks/web`, { method: 'POST', headers: bearer(web.token) });
    const { bakeId, statusUrl } = await started.json();
    await f.runtime.engine.waitForFinal(bakeId);
    const wrongProject = await fetch(statusUrl, { headers: bearer(api.token) });
    const unknownBake = await fetch(`${f.url}/bakes/bk_00000000000000000000`, { headers: bearer(web.token) });
    const noToken = await fetch(statusUrl);
    const githubSecret = await fetch(statusUrl, { headers: bearer(web.github) });
    for (const r of [wrongProject, unknownBake, noToken, githubSecret]) expect(r.status).toBe(401);
    expect(await wrongProject.text()).toBe(await unknownBake.text());
    const ok = await fetch(statusUrl, { headers: bearer(web.token) });
    expect(ok.status).toBe(200);
    const view = await ok.json();
    expect(view, JSON.stringify(view.error)).toMatchObject({
      id: bakeId,
      project: 'web',
      status: 'succeeded',
    });
    expect(JSON.stringify(view)).not.toContain(web.token);
  });

  it('answers /healthz, and 404 or 405 elsewhere', async () => {
    const health = await fetch(`${f.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${f.url}/`)).status).toBe(404);
    const get = await fetch(`${f.url}/hooks/web`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('keeps signatures, tokens and payloads out of the deliveries log', async () => {
    const text = await readFile(f.state.paths.deliveriesFile('web'), 'utf8');
    expect(text).not.toContain(web.token);
    expect(text).not.toContain(web.github);
    expect(text).not.toMatch(/sha256=/);
    expect(text).not.toContain('acme/web');
  });
});

describe('the status URL', () => {
  it('comes from the configured public URL, never from the request’s Host header', async () => {
    const g = await webhookFixture({
      limits: { perMinute: 1000 },
      listen: { publicUrl: 'https://hooks.example.com/qx/' },
    });
    try {
      await g.runtime.store.projects.create(projectInput('web'));
      const { token } = await secretsOf(g.state, 'web');
      const answer = await new Promise<{ status?: number; location?: string; body: string }>(
        (resolve, reject) => {
          const req = request(
            `${g.url}/hooks/web`,
            { method: 'POST', headers: { ...bearer(token), host: 'evil.example.net' } },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, body }));
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      expect(answer.status).toBe(202);
      const { bakeId, statusUrl } = JSON.parse(answer.body) as { bakeId: string; statusUrl: string };
      expect(answer.location).toBe(`https://hooks.example.com/qx/bakes/${bakeId}`);
      expect(statusUrl).toBe(answer.location);
      expect(g.server.publicUrl).toBe('https://hooks.example.com/qx');
      await g.runtime.engine.waitForFinal(bakeId);
    } finally {
      await g.close();
    }
  });
});
