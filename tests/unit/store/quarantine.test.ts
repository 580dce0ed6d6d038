import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import { storePaths } from '../../../src/main/services/store/paths';
import { Notices, Quarantine } from '../../../src/main/services/store/quarantine';
import { tempStore } from './helpers';
import type { TestStore } from './helpers';

let t: TestStore;
let quarantine: Quarantine;
let notices: Notices;
beforeEach(async () => {
  t = await tempStore();
  notices = new Notices();
  quarantine = new Quarantine(
    storePaths(t.dir),
    new VirtualClock(Date.UTC(2026, 4, 6, 7, 8, 9, 10)),
    notices,
    { warn: () => undefined },
  );
});
afterEach(() => t.cleanup());

test('moves the file with a timestamped name, a reason beside it, and one notice', async () => {
  const file = join(t.dir, 'projects', 'web.yaml');
  await mkdir(join(t.dir, 'projects'));
  await writeFile(file, 'broken');
  const notice = await quarantine.move(file, 'bad YAML', { judged: 'broken' });
  expect(notice?.movedTo).toMatch(/^quarantine\/20260506-070809-010-[0-9a-f]{4}-projects__web\.yaml$/);
  expect(await readFile(join(t.dir, notice!.movedTo!), 'utf8')).toBe('broken');
  expect(await readFile(join(t.dir, `${notice!.movedTo!}.reason.txt`), 'utf8')).toBe(`${notice!.message}\n`);
  expect(notices.list()).toEqual([notice]);
});

test('a file another process rewrote after it was judged corrupt is put back, not quarantined', async () => {
  const file = join(t.dir, 'draft.json');
  await writeFile(file, '{"good": true}');
  expect(await quarantine.move(file, 'was broken when read', { judged: '{"go' })).toBeUndefined();
  expect(await readFile(file, 'utf8')).toBe('{"good": true}');
  expect(await readdir(join(t.dir, 'quarantine'))).toEqual([]);
  expect(notices.list()).toEqual([]);
});

test('a file already moved by another process is not an error', async () => {
  expect(await quarantine.move(join(t.dir, 'gone.json'), 'x')).toBeUndefined();
});

test('notices are listed once per skipped file, can be cleared, and reach listeners', () => {
  const heard: string[] = [];
  const stop = notices.onNotice((n) => heard.push(n.file));
  quarantine.report(join(t.dir, 'projects', 'future.yaml'), 'newer');
  quarantine.report(join(t.dir, 'projects', 'future.yaml'), 'newer');
  expect(notices.list()).toHaveLength(1);
  expect(heard).toEqual(['projects/future.yaml']);
  stop();
  notices.clear();
  expect(notices.list()).toEqual([]);
});
