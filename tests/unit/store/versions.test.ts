import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { VersionInput } from '../../../src/main/services/store';
import type { AppError } from '../../../src/shared/result';
import { tempStore } from './helpers';
import type { TestStore } from './helpers';

let t: TestStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

function input(n: number, project = 'web'): VersionInput {
  return {
    project,
    bakeId: `bk_00000000${String(n).padStart(2, '0')}aaaaaaaaaa`,
    createdAt: n,
    profile: 'sandbox',
    region: 'eu-west-1',
    simulated: true,
    imageId: 'ami-0123456789abcdef0',
    imageName: `web-${n}`,
    snapshotIds: ['snap-1'],
    baseImageId: 'ami-0fedcba9876543210',
    instanceType: 't3.micro',
    initScript: 'echo',
    scriptSha256: 'abc',
    env: { A: '1' },
    stepDurationsMs: { launch: 1000 },
    apiCalls: 3,
    durationMs: 5000,
    appVersion: 'test',
    tags: {},
  };
}

test('versions are numbered per project, one immutable file each, listed newest first', async () => {
  for (let n = 1; n <= 4; n++) expect((await t.store.versions.record(input(n))).version).toBe(n);
  expect((await t.store.versions.record(input(9, 'api'))).version).toBe(1);
  expect(await readdir(join(t.dir, 'versions', 'web'))).toEqual(
    expect.arrayContaining(['000001-bk_0000000001aaaaaaaaaa.json', '000004-bk_0000000004aaaaaaaaaa.json']),
  );
  const other = t.reopen();
  expect((await other.versions.list('web')).map((v) => v.version)).toEqual([4, 3, 2, 1]);
  expect((await other.versions.list('web', { limit: 2, before: 4 })).map((v) => v.version)).toEqual([3, 2]);
  expect(await other.versions.get('web', 2)).toMatchObject({
    version: 2,
    imageName: 'web-2',
    stepDurationsMs: { launch: 1000 },
  });
  expect(await other.versions.get('web', 7)).toBeUndefined();
  expect((await other.versions.latest('web'))?.version).toBe(4);
  expect(await other.versions.list('nothing')).toEqual([]);
});

test('two stores on one directory recording at once never share a number', async () => {
  const other = t.reopen();
  const recorded = await Promise.all(
    Array.from({ length: 12 }, (_, i) => (i % 2 ? other : t.store).versions.record(input(i + 1))),
  );
  expect(recorded.map((v) => v.version).sort((a, b) => a - b)).toEqual(
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
});

test('recording the same bake twice returns its version instead of a second one', async () => {
  await t.store.versions.record(input(1));
  const again = await t.reopen().versions.record(input(1));
  expect(again.version).toBe(1);
  expect(await t.store.versions.list('web')).toHaveLength(1);
});

test('an invalid version is refused before anything is written', async () => {
  const error = await t.store.versions.record({ ...input(1), bakeId: 'nope' }).catch((e: unknown) => e);
  expect((error as AppError).code).toBe('INVALID_INPUT');
  expect(await t.store.versions.list('web')).toEqual([]);
});

test('a corrupt version file is quarantined, listing goes on, and its number is never reused', async () => {
  for (let n = 1; n <= 3; n++) await t.store.versions.record(input(n));
  await writeFile(join(t.dir, 'versions', 'web', '000003-bk_0000000003aaaaaaaaaa.json'), '{"version": 3');
  await writeFile(
    join(t.dir, 'versions', 'web', '000002-bk_0000000002aaaaaaaaaa.json'),
    JSON.stringify({ ...input(7), version: 2 }),
  );
  expect((await t.store.versions.list('web')).map((v) => v.version)).toEqual([1]);
  const messages = t.store.notices.list().map((n) => n.message);
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^versions\/web\/000003-bk_0000000003aaaaaaaaaa\.json was unreadable .*: not JSON/,
      ),
      expect.stringMatching(/000002-.*: its content does not match its file name$/),
    ]),
  );
  expect((await t.store.versions.record(input(4))).version).toBe(4);
});
