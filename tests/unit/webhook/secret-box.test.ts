import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/main/services/clock';
import {
  envKeyBox,
  keyFileBox,
  openWebhookState,
  safeStorageBox,
  serverSecretBox,
  type SecretBox,
} from '../../../src/main/services/webhook';
import { loadOrCreateKeyFile } from '../../../src/main/services/webhook/key-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-secret-box-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Stands in for Electron's safeStorage: reversible, and unlike the key file box in every byte. */
const fakeSafeStorage = safeStorageBox({
  encryptString: (text) => Buffer.from(`keychain:${Buffer.from(text).toString('hex')}`),
  decryptString: (data) => Buffer.from(data.toString().replace(/^keychain:/, ''), 'hex').toString(),
});

const state = (box: SecretBox) => openWebhookState({ dataDir: dir, box, clock: systemClock });

describe('sealing webhook secrets', () => {
  it('creates the key file on first use, readable only by its owner, and never stores the secret in clear', async () => {
    const keyFile = join(dir, 'webhook', 'secret.key');
    const box = keyFileBox(keyFile);
    const triggers = state(box).triggers;
    // Opening the state creates nothing; the key appears when a secret is first sealed.
    await expect(stat(keyFile)).rejects.toThrow();
    await triggers.rotate('web', 'token');
    await expect(stat(keyFile)).rejects.toThrow();
    const secret = await triggers.rotate('web', 'github');
    expect(secret).toMatch(/^qxg_[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32') {
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'webhook', 'triggers', 'web.json'))).mode & 0o777).toBe(0o600);
    }
    const file = await readFile(join(dir, 'webhook', 'triggers', 'web.json'), 'utf8');
    expect(file).not.toContain(secret);
    expect(file).not.toContain(secret.slice(4, 20));
    const sealed = JSON.parse(file).githubSecret;
    expect(sealed.sealedBy).toMatchObject({ box: 'key-file' });
    expect(box.decrypt(Buffer.from(sealed.sealed, 'base64'))).toBe(secret);
  });

  it('keeps the first key: opening the key file again never replaces it', () => {
    const keyFile = join(dir, 'k', 'secret.key');
    const keys = Array.from({ length: 8 }, () => loadOrCreateKeyFile(keyFile).toString('hex'));
    expect(new Set(keys).size).toBe(1);
  });

  it('refuses a key file that others can read', async () => {
    if (process.platform === 'win32') return;
    const keyFile = join(dir, 'secret.key');
    loadOrCreateKeyFile(keyFile);
    await chmod(keyFile, 0o644);
    expect(() => keyFileBox(keyFile).encrypt('x')).toThrow(/chmod 600/);
  });

  it('takes the key from QUADRAXIS_WEBHOOK_KEY over the key file, and wants a long one', async () => {
    const box = serverSecretBox(
      { QUADRAXIS_WEBHOOK_KEY: 'correct horse battery staple' },
      join(dir, 'unused.key'),
    );
    expect(box.kind).toBe('env-key');
    expect(box.decrypt(box.encrypt('hello'))).toBe('hello');
    expect(() => envKeyBox('short')).toThrow(/at least 16/);
    await expect(stat(join(dir, 'unused.key'))).rejects.toThrow();
  });

  it('explains which box sealed a GitHub secret when another process cannot open it; tokens work in both', async () => {
    const body = '{"ref":"refs/heads/main"}';
    const app = state(fakeSafeStorage).triggers;
    const appSecret = await app.rotate('web', 'github');
    const token = await app.rotate('web', 'token');
    const server = state(keyFileBox(join(dir, 'webhook', 'secret.key'))).triggers;
    expect((await server.config('web')).githubSecret.problem).toMatch(
      /sealed with the Quadraxis app’s OS keychain.*quadraxis serve and the CLI cannot open.*quadraxis triggers web --rotate-github-secret/,
    );
    const signature = await sign(appSecret, body);
    expect(await (await server.verifier('web')).checkSignature(body, signature)).toBe(false);
    // Only a hash is kept of the token: any process checks it.
    expect((await server.verifier('web')).checkToken(token)).toBe(true);
    // The app still opens its own.
    expect(await (await app.verifier('web')).checkSignature(body, signature)).toBe(true);

    await server.rotate('web', 'github');
    expect((await app.config('web')).githubSecret.problem).toMatch(
      /sealed with the key file .*secret\.key, which the Quadraxis app cannot open.*Regenerate it here/,
    );
  });

  it('tells a changed key apart from a foreign box', async () => {
    await state(envKeyBox('first key, sixteen+ characters')).triggers.rotate('web', 'github');
    const other = state(envKeyBox('second key, also long enough')).triggers;
    expect((await other.config('web')).githubSecret.problem).toMatch(
      /sealed with a different key \(the key in QUADRAXIS_WEBHOOK_KEY/,
    );
  });
});
