import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { AppError } from '../../../src/shared/result';
import { tempStore } from './helpers';
import type { TestStore } from './helpers';

let t: TestStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

test('a draft saved by one process is restored by the next, and cleared', async () => {
  const saved = await t.store.drafts.save('web', {
    baseRevision: 'abc',
    content: { initScript: 'echo wip', tags: ['a'] },
  });
  expect(saved).toEqual({
    project: 'web',
    baseRevision: 'abc',
    content: { initScript: 'echo wip', tags: ['a'] },
    savedAt: t.clock.now(),
  });
  expect(await t.reopen().drafts.read('web')).toEqual(saved);
  await t.store.drafts.save('web', { content: { initScript: 'echo newer' } });
  expect((await t.reopen().drafts.read('web'))?.content).toEqual({ initScript: 'echo newer' });
  await t.store.drafts.clear('web');
  await t.store.drafts.clear('web');
  expect(await t.store.drafts.read('web')).toBeUndefined();
});

test('many quick saves leave one whole file, the last one', async () => {
  await Promise.all(Array.from({ length: 20 }, (_, i) => t.store.drafts.save('web', { content: { n: i } })));
  expect((await t.reopen().drafts.read('web'))?.content).toEqual({ n: 19 });
  expect(await readdir(join(t.dir, 'drafts'))).toEqual(['web.json']);
});

test('drafts need a valid name and JSON content', async () => {
  const bad = await t.store.drafts.save('../x', { content: {} }).catch((e: unknown) => e);
  expect((bad as AppError).code).toBe('INVALID_INPUT');
  const notJson = await t.store.drafts
    .save('web', { content: { f: () => 1 } as never })
    .catch((e: unknown) => e);
  expect((notJson as AppError).code).toBe('INVALID_INPUT');
});

test('a corrupt draft is quarantined with a notice instead of failing the editor', async () => {
  await t.store.drafts.save('web', { content: {} });
  await writeFile(join(t.dir, 'drafts', 'web.json'), '{"project": "web", "savedAt": "yesterday"');
  expect(await t.store.drafts.read('web')).toBeUndefined();
  expect(t.store.notices.list()[0]?.message).toMatch(
    /^drafts\/web\.json was unreadable and was moved to quarantine\/.+drafts__web\.json: not JSON .+\. The unsaved draft could not be restored$/,
  );
  expect(await readdir(join(t.dir, 'drafts'))).toEqual([]);
});
