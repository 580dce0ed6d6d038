import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { BakeInputs } from '../../../src/main/services/store';
import { AppError } from '../../../src/shared/result';
import { bundleFixture } from './fork-fixture';
import { created, projectInput, tempStore } from './helpers';
import type { TestStore } from './helpers';
import { ProjectSchema } from '../../../src/shared/project';

const A = 'bk_0000000001aaaaaaaaaa';
let t: TestStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

const inputs: BakeInputs = {
  project: ProjectSchema.parse(projectInput()),
  profile: 'sandbox',
  endpoint: 'http://127.0.0.1:4567',
  force: false,
  trigger: 'cli',
  nonce: '0123456789abcdef0123456789abcdef',
};

describe('creating a bake', () => {
  test('it is owned by its process from the first moment: another process never sees it as an orphan', async () => {
    const { claim } = await t.store.bakes.create(created(A), { inputs });
    // Another process: same files, its own identity.
    const other = t.reopen({ owner: { processToken: 'another process' } });
    expect((await other.bakes.liveOwner(A)).live).toBe(true);
    expect(await other.bakes.orphans()).toEqual([]);
    const refused = await other.bakes.claim(A).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('CONFLICT');

    await claim.release();
    expect((await other.bakes.orphans()).map((b) => b.id)).toEqual([A]);
  });

  test('ownedHere tells this process’s bakes from another’s, from the moment the bake is visible', async () => {
    const other = t.reopen({ owner: { processToken: 'another process' } });
    const seen: boolean[] = [];
    // Asked while create runs: whenever the directory is there, its owner.json is too.
    const creating = t.store.bakes.create(created(A), { inputs });
    while (!(await readdir(join(t.dir, 'bakes')).catch((): string[] => [])).includes(A))
      await Promise.resolve();
    seen.push(await t.store.bakes.ownedHere(A), await other.bakes.ownedHere(A));
    const { claim } = await creating;
    seen.push(await t.store.bakes.ownedHere(A), await other.bakes.ownedHere(A));
    await claim.release();
    seen.push(await t.store.bakes.ownedHere(A));
    expect(seen).toEqual([true, false, true, false, false]);
    expect(await t.store.bakes.activeIds()).toEqual([A]);
    expect(await t.store.bakes.allIds()).toEqual([A]);
  });

  test('appendEvents with a created event makes an unowned bake (for imports and tests), unlike create', async () => {
    await t.store.bakes.appendEvents(A, [created(A)]);
    const other = t.reopen({ owner: { processToken: 'another process' } });
    expect((await other.bakes.orphans()).map((b) => b.id)).toEqual([A]);
  });

  test('its inputs are kept beside the journal, validated on the way in and out', async () => {
    const { claim } = await t.store.bakes.create(created(A), { inputs });
    expect(await t.reopen().bakes.inputs(A)).toEqual(inputs);
    await claim.release();

    const B = 'bk_0000000002bbbbbbbbbb';
    const bad = t.store.bakes.create(created(B), { inputs: { ...inputs, nonce: 'short' } });
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await readdir(join(t.dir, 'bakes'))).toEqual([A]);

    await writeFile(join(t.dir, 'bakes', A, 'inputs.json'), '{"project": 1}');
    const other = t.reopen();
    expect(await other.bakes.inputs(A)).toBeUndefined();
    expect(other.notices.list()[0]?.message).toMatch(
      /^bakes\/bk_0000000001aaaaaaaaaa\/inputs\.json was unreadable .*can no longer be resumed/,
    );
  });

  test('creating an existing bake is a CONFLICT and leaves the first one alone', async () => {
    const { claim } = await t.store.bakes.create(created(A), { inputs });
    await expect(t.reopen().bakes.create(created(A))).rejects.toBeInstanceOf(AppError);
    expect(await t.store.bakes.inputs(A)).toEqual(inputs);
    await claim.release();
  });
});

describe('two real processes', () => {
  let bundle: Awaited<ReturnType<typeof bundleFixture>>;
  beforeAll(async () => {
    bundle = await bundleFixture('create-bakes.ts');
  }, 60_000);
  afterAll(async () => bundle?.cleanup());

  test('recovery running in one never catches a bake the other is just creating', async () => {
    const count = 40;
    const child = fork(bundle.file, [t.dir, String(count)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const createdIds: string[] = [];
    let finished = false;
    let failure: string | undefined;
    child.on('message', (m: unknown) => {
      if (m === 'done') finished = true;
      else if (typeof m === 'object' && m !== null && 'created' in m) createdIds.push(String(m.created));
      else if (typeof m === 'object' && m !== null && 'error' in m) failure = String(m.error);
    });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    const exited = once(child, 'exit');
    child.send('go');

    const seen = new Set<string>();
    let looks = 0;
    while (!finished && failure === undefined) {
      for (const orphan of await t.store.bakes.orphans()) seen.add(orphan.id);
      looks++;
      // The child paces its creations on these, so the looks really overlap them (see create-bakes.ts).
      if (child.connected) child.send({ looks });
    }
    expect(failure).toBeUndefined();
    expect(createdIds).toHaveLength(count);
    expect(looks).toBeGreaterThan(count);
    expect([...seen]).toEqual([]);

    // The same look does find them once their process is gone.
    child.kill('SIGKILL');
    await exited;
    expect((await t.store.bakes.orphans()).map((b) => b.id).sort()).toEqual([...createdIds].sort());
  });
});
