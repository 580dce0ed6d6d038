import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFileBox } from '../../../src/main/services/webhook';
import { hashToken } from '../../../src/main/services/webhook/secrets';
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

beforeAll(async () => {
  f = await webhookFixture({ limits: { perMinute: 1000 } });
  for (const name of ['web', 'api', 'old'])
    await f.runtime.store.projects.create(projectInput(name, { initScript: `#!/bin/sh\necho ${name}\n` }));
});
afterAll(async () => {
  await f?.close();
});

const trigger = (project: string, token: string) =>
  fetch(`${f.url}/hooks/${project}`, { method: 'POST', headers: bearer(token) });

async function baked(response: Response): Promise<void> {
  expect(response.status).toBe(202);
  const { bakeId } = (await response.json()) as { bakeId: string };
  expect((await f.runtime.engine.waitForFinal(bakeId)).status).toBe('succeeded');
}

describe('two independent secrets per project', () => {
  it('refuses a signature computed with the bearer token', async () => {
    const { token } = await secretsOf(f.state, 'web');
    const forged = await postGithub(f.url, 'web', { secret: token, payload: pushPayload('main') });
    expect(forged.status).toBe(401);
    expect(await f.runtime.engine.list({ project: 'web' })).toHaveLength(0);
  });

  it('does not take the GitHub secret as a bearer token', async () => {
    const { github } = await secretsOf(f.state, 'api');
    expect((await trigger('api', github)).status).toBe(401);
    // It signs, as GitHub uses it.
    await baked(await postGithub(f.url, 'api', { secret: github, payload: pushPayload('main') }));
  });

  it('rotates each alone: the other keeps working', async () => {
    const first = await secretsOf(f.state, 'web');
    const token = await f.state.triggers.rotate('web', 'token');
    expect((await trigger('web', first.token)).status).toBe(401);
    await baked(await trigger('web', token));
    await baked(await postGithub(f.url, 'web', { secret: first.github, payload: pushPayload('main') }));

    const github = await f.state.triggers.rotate('web', 'github');
    expect(
      (await postGithub(f.url, 'web', { secret: first.github, payload: pushPayload('main') })).status,
    ).toBe(401);
    await baked(await postGithub(f.url, 'web', { secret: github, payload: pushPayload('main') }));
    await baked(await trigger('web', token));
  });

  it('keeps only the token’s hash, and the GitHub secret sealed', async () => {
    const { token, github } = await secretsOf(f.state, 'web');
    expect(token).toMatch(/^qxt_[A-Za-z0-9_-]{43}$/);
    expect(github).toMatch(/^qxg_[A-Za-z0-9_-]{43}$/);
    const text = await readFile(f.state.paths.triggerFile('web'), 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(4, 20));
    expect(text).not.toContain(github);
    expect(text).not.toContain(github.slice(4, 20));
    const file = JSON.parse(text);
    expect(file).toMatchObject({ schemaVersion: 2, token: { sha256: hashToken(token) } });
    expect(file.githubSecret.sealedBy.box).toBe('key-file');
  });
});

describe('a project set up by an earlier version (one secret for both)', () => {
  it('keeps its secret as the GitHub secret, no longer takes it as a token, and gets a token when one is made', async () => {
    // What the earlier version wrote: one secret, sealed by the same key file.
    const legacy = 'qxw_legacylegacylegacylegacylegacylegacy0000';
    const box = keyFileBox(join(f.dataDir, 'webhook', 'secret.key'));
    await mkdir(join(f.dataDir, 'webhook', 'triggers'), { recursive: true });
    await writeFile(
      f.state.paths.triggerFile('old'),
      JSON.stringify({
        schemaVersion: 1,
        project: 'old',
        secret: {
          sealedBy: { box: box.kind, keyId: box.keyId, description: box.description },
          sealed: box.encrypt(legacy).toString('base64'),
          createdAt: 1,
        },
        profile: 'sandbox',
      }),
      { mode: 0o600 },
    );
    expect(await f.state.triggers.config('old')).toMatchObject({
      token: { set: false },
      githubSecret: { set: true, createdAt: 1 },
      legacyTokenRetired: true,
      profile: 'sandbox',
    });
    expect((await trigger('old', legacy)).status).toBe(401);
    const body = JSON.stringify(pushPayload('main'));
    const signed = await postGithub(f.url, 'old', { body, signature: await sign(legacy, body) });
    await baked(signed);

    const token = await f.state.triggers.rotate('old', 'token');
    expect(await f.state.triggers.config('old')).toMatchObject({
      token: { set: true },
      githubSecret: { set: true, createdAt: 1 },
      legacyTokenRetired: false,
    });
    await baked(await trigger('old', token));
    expect(JSON.parse(await readFile(f.state.paths.triggerFile('old'), 'utf8'))).toMatchObject({
      schemaVersion: 2,
      profile: 'sandbox',
    });
  });
});
