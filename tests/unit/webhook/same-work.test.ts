import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Secrets from '../../../src/main/services/webhook/secrets';
import { systemClock } from '../../../src/main/services/clock';
import { keyFileBox, openWebhookState, type WebhookState } from '../../../src/main/services/webhook';

/** Every read, token hash and HMAC the trigger store does, counted. */
const work = vi.hoisted(() => ({ reads: 0, tokenChecks: 0, hmacs: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    readFile: ((...args: Parameters<typeof fs.readFile>) => {
      work.reads++;
      return fs.readFile(...args);
    }) as typeof fs.readFile,
  };
});
vi.mock('../../../src/main/services/webhook/secrets', async (importOriginal) => {
  const secrets = await importOriginal<typeof Secrets>();
  return {
    ...secrets,
    tokenMatches: (given: string, hash: string) => {
      work.tokenChecks++;
      return secrets.tokenMatches(given, hash);
    },
    signatureMatches: (secret: string, body: string, signature: string) => {
      work.hmacs++;
      return secrets.signatureMatches(secret, body, signature);
    },
  };
});

let dir: string;
let state: WebhookState;
let decrypts = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-same-work-'));
  const box = keyFileBox(join(dir, 'webhook', 'secret.key'));
  const counting = {
    kind: box.kind,
    description: box.description,
    get keyId() {
      return box.keyId;
    },
    encrypt: (text: string) => box.encrypt(text),
    decrypt: (data: Buffer) => {
      decrypts++;
      return box.decrypt(data);
    },
  };
  state = openWebhookState({ dataDir: dir, box: counting, clock: systemClock });
  await state.triggers.rotate('web', 'token');
  await state.triggers.rotate('web', 'github');
  await state.triggers.rotate('docs', 'github');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function workFor(name: string) {
  Object.assign(work, { reads: 0, tokenChecks: 0, hmacs: 0 });
  decrypts = 0;
  const parse = vi.spyOn(JSON, 'parse');
  const verifier = await state.triggers.verifier(name);
  const token = verifier.checkToken('qxt_guess');
  const signature = await verifier.checkSignature('{"ref":"refs/heads/main"}', `sha256=${'0'.repeat(64)}`);
  const parses = parse.mock.calls.length;
  parse.mockRestore();
  return { accepted: token || signature, parses, decrypts, ...work };
}

describe('checking a request’s credentials', () => {
  it('does the same work whatever the name: configured, half configured, unknown or not a name', async () => {
    // Two reads each: the name's trigger file (or one no name can have) and the decoy beside it.
    const configured = await workFor('web');
    expect(configured).toEqual({
      accepted: false,
      reads: 2,
      parses: 1,
      decrypts: 1,
      tokenChecks: 1,
      hmacs: 1,
    });
    for (const name of ['docs', 'nope', '..%2Fetc', '', 'x'.repeat(300)]) {
      expect({ name, ...(await workFor(name)) }).toEqual({ name, ...configured });
    }
  });
});
