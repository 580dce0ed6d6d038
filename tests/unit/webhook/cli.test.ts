import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/commands/serve';
import { systemClock } from '../../../src/main/services/clock';
import { createStore } from '../../../src/main/services/store';
import { openWebhookState, safeStorageBox } from '../../../src/main/services/webhook';
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
  it('makes a secret on first use, prints it again after, and --rotate replaces it', async () => {
    const first = await cli('triggers', 'web');
    expect(first.code).toBe(0);
    const secret = /^Secret: +(qxw_\S+) +\(new/m.exec(first.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(first.stdout).toContain('Hook URL:  http://127.0.0.1:8787/hooks/web');
    expect(first.stdout).toContain('Branches:  main');
    expect(first.stdout).toContain(
      `curl -fsS -X POST -H "Authorization: Bearer ${secret}" http://127.0.0.1:8787/hooks/web`,
    );

    const again = JSON.parse((await cli('triggers', 'web', '--json')).stdout);
    expect(again).toMatchObject({
      project: 'web',
      secret,
      generated: false,
      url: 'http://127.0.0.1:8787/hooks/web',
    });

    const rotated = JSON.parse(
      (await cli('triggers', 'web', '--rotate', '--json', '--profile', 'ci')).stdout,
    );
    expect(rotated.secret).not.toBe(secret);
    expect(rotated).toMatchObject({ generated: true, profile: 'ci' });
    expect(
      JSON.parse((await cli('triggers', 'web', '--json', '--default-profile')).stdout).profile,
    ).toBeUndefined();
  });

  it('uses the app’s webhook port from its settings file, or --base-url', async () => {
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ schemaVersion: 2, webhook: { enabled: true, host: '0.0.0.0', port: 9911 } }),
    );
    expect(JSON.parse((await cli('triggers', 'web', '--json')).stdout).url).toBe(
      'http://127.0.0.1:9911/hooks/web',
    );
    expect(
      JSON.parse((await cli('triggers', 'web', '--json', '--base-url', 'https://ci.example.com/qx/')).stdout)
        .url,
    ).toBe('https://ci.example.com/qx/hooks/web');
  });

  it('explains when the app sealed the secret with its keychain', async () => {
    const keychain = safeStorageBox({
      encryptString: (t) => Buffer.from(t),
      decryptString: (b) => b.toString(),
    });
    await openWebhookState({ dataDir: dir, box: keychain, clock: systemClock }).triggers.rotate('web');
    const r = await cli('triggers', 'web');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sealed with the Quadraxis app’s OS keychain.*--rotate/);
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown project', async () => {
    const r = await cli('triggers', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No project named "nope"');
  });
});

describe('quadraxis serve (in process)', () => {
  it('listens, answers health checks, refuses bad tokens, and stops on request', async () => {
    const secret = JSON.parse((await cli('triggers', 'web', '--json')).stdout).secret as string;
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
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(noProfile.status).toBe(503);
    expect(((await noProfile.json()) as { message: string }).message).toMatch(/No AWS profile.*--profile/);
    expect(stderr).toContain('only projects with their own webhook profile bake');
    stop();
    await served;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
