import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/commands/serve';
import { systemClock } from '../../../src/main/services/clock';
import { createStore } from '../../../src/main/services/store';
import { keyFileBox, openWebhookState, safeStorageBox } from '../../../src/main/services/webhook';
import { runCliOn } from '../../helpers/run-cli';
import { projectInput } from './helpers';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-webhook-cli-'));
  await createStore({ dataDir: dir, clock: systemClock, logger: { warn: () => undefined } }).projects.create(
    projectInput('web', { triggers: { branches: ['main'] } }),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliOn(dir, args);

describe('quadraxis triggers', () => {
  it('makes both secrets on first use and shows them once; each rotates alone', async () => {
    const first = await cli('triggers', 'web');
    expect(first.code).toBe(0);
    const token = /^Token: +(qxt_\S+) +\(new/m.exec(first.stdout)?.[1];
    const github = /^GitHub secret: +(qxg_\S+) +\(new/m.exec(first.stdout)?.[1];
    expect(token).toBeDefined();
    expect(github).toBeDefined();
    expect(first.stdout).toContain('Hook URL:       http://127.0.0.1:8787/hooks/web');
    expect(first.stdout).toContain('Branches:       main');
    expect(first.stdout).toContain(
      `curl -fsS -X POST -H "Authorization: Bearer ${token}" http://127.0.0.1:8787/hooks/web`,
    );

    const again = await cli('triggers', 'web', '--json');
    expect(JSON.parse(again.stdout)).toEqual({
      project: 'web',
      url: 'http://127.0.0.1:8787/hooks/web',
      branches: ['main'],
    });
    expect(again.stdout).not.toContain(token!);
    expect((await cli('triggers', 'web')).stdout).toMatch(
      /^Token: +made .*not shown again \(--rotate-token/m,
    );

    const state = openWebhookState({
      dataDir: dir,
      box: keyFileBox(join(dir, 'webhook', 'secret.key')),
      clock: systemClock,
    });
    const body = '{"ref":"refs/heads/main"}';
    const works = async (t: string | undefined, g: string | undefined) => {
      const verifier = await state.triggers.verifier('web');
      return [
        t ? verifier.checkToken(t) : undefined,
        g ? await verifier.checkSignature(body, await sign(g, body)) : undefined,
      ];
    };
    const rotated = JSON.parse(
      (await cli('triggers', 'web', '--rotate-token', '--json', '--profile', 'ci')).stdout,
    );
    expect(Object.keys(rotated).sort()).toEqual(['branches', 'profile', 'project', 'token', 'url']);
    expect(rotated).toMatchObject({ profile: 'ci' });
    expect(await works(token, github)).toEqual([false, true]);
    expect(await works(rotated.token, undefined)).toEqual([true, undefined]);

    const resigned = JSON.parse((await cli('triggers', 'web', '--rotate-github-secret', '--json')).stdout);
    expect(Object.keys(resigned)).toContain('githubSecret');
    expect(Object.keys(resigned)).not.toContain('token');
    expect(await works(rotated.token, github)).toEqual([true, false]);
    expect(await works(undefined, resigned.githubSecret)).toEqual([undefined, true]);

    const both = JSON.parse((await cli('triggers', 'web', '--rotate', '--json', '--default-profile')).stdout);
    expect(both).toMatchObject({
      token: expect.stringMatching(/^qxt_/),
      githubSecret: expect.stringMatching(/^qxg_/),
    });
    expect(both.profile).toBeUndefined();
  });

  it('uses the app’s webhook address from its settings file, or --base-url', async () => {
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ schemaVersion: 2, webhook: { enabled: true, host: '0.0.0.0', port: 9911 } }),
    );
    expect(JSON.parse((await cli('triggers', 'web', '--json')).stdout).url).toBe(
      'http://127.0.0.1:9911/hooks/web',
    );
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({
        schemaVersion: 2,
        webhook: { port: 9911, tls: { certFile: '/c', keyFile: '/k' } },
      }),
    );
    expect(JSON.parse((await cli('triggers', 'web', '--json')).stdout).url).toBe(
      'https://127.0.0.1:9911/hooks/web',
    );
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ schemaVersion: 2, webhook: { port: 9911, publicUrl: 'https://hooks.example.com' } }),
    );
    expect(JSON.parse((await cli('triggers', 'web', '--json')).stdout).url).toBe(
      'https://hooks.example.com/hooks/web',
    );
    expect(
      JSON.parse((await cli('triggers', 'web', '--json', '--base-url', 'https://ci.example.com/qx/')).stdout)
        .url,
    ).toBe('https://ci.example.com/qx/hooks/web');
    const bad = await cli('triggers', 'web', '--base-url', 'ftp://x');
    expect(bad.code).toBe(2);
  });

  it('warns when the app sealed the GitHub secret with its keychain, and a rotation here fixes it', async () => {
    const keychain = safeStorageBox({
      encryptString: (t) => Buffer.from(t),
      decryptString: (b) => b.toString(),
    });
    const app = openWebhookState({ dataDir: dir, box: keychain, clock: systemClock });
    await app.triggers.rotate('web', 'github');
    await app.triggers.rotate('web', 'token');
    const r = await cli('triggers', 'web');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/sealed with the Quadraxis app’s OS keychain.*--rotate-github-secret/);
    expect(r.stdout).not.toMatch(/qx[tg]_/);
    const fixed = await cli('triggers', 'web', '--rotate-github-secret');
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toMatch(/^GitHub secret: +qxg_/m);
  });

  it('refuses an unknown project', async () => {
    const r = await cli('triggers', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No project named "nope"');
  });
});

describe('quadraxis serve (in process)', () => {
  it('listens, answers health checks, refuses bad tokens, and stops on request', async () => {
    const { token } = JSON.parse((await cli('triggers', 'web', '--json')).stdout) as { token: string };
    let stdout = '';
    let stderr = '';
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const served = runServe(
      {
        stdout: (s) => {
          stdout += s;
          const match = /^webhook server listening on (\S+)$/m.exec(stdout);
          if (match?.[1]) listening(match[1]);
        },
        stderr: (s) => void (stderr += s),
        env: {},
      },
      { dataDir: dir, port: 0, host: '127.0.0.1', rateLimit: 12 },
      stopped,
    );
    const base = await url;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(
      (await fetch(`${base}/hooks/web`, { method: 'POST', headers: { authorization: 'Bearer nope' } }))
        .status,
    ).toBe(401);
    // No --profile and no project profile: the bake cannot start, and says why.
    const noProfile = await fetch(`${base}/hooks/web`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(noProfile.status).toBe(503);
    expect(((await noProfile.json()) as { message: string }).message).toMatch(/No AWS profile.*--profile/);
    expect(stderr).toContain('only projects with their own webhook profile bake');
    stop();
    await served;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('quadraxis serve flags', () => {
  it('refuses plain HTTP beyond loopback, and half a TLS pair, before starting anything', async () => {
    const open = await cli('serve', '--host', '0.0.0.0', '--port', '0');
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/plain HTTP.*--tls-cert and --tls-key, or --insecure/);
    expect(open.stdout).toBe('');
    const half = await cli('serve', '--tls-cert', join(dir, 'c.pem'), '--port', '0');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('Give --tls-cert and --tls-key together.');
    const missing = await cli('serve', '--tls-cert', join(dir, 'c.pem'), '--tls-key', join(dir, 'k.pem'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the TLS certificate .*c\.pem: no such file/);
    const url = await cli('serve', '--public-url', 'https://x/?a=b');
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--public-url/);
  });
});
