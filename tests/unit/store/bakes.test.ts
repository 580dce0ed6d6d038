import { appendFile, mkdir, readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { bakeIdTime, CONSOLE_TRUNCATED_MARKER, newBakeId } from '../../../src/main/services/store';
import { VirtualClock } from '../../../src/main/services/clock';
import { BAKE_ID_PATTERN } from '../../../src/shared/bake';
import type { BakeEvent } from '../../../src/shared/bake';
import { AppError } from '../../../src/shared/result';
import { created, events, tempStore } from './helpers';
import type { TestStore } from './helpers';

let t: TestStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

const A = 'bk_0000000001aaaaaaaaaa';
const journal = (id: string) => join(t.dir, 'bakes', id, 'events.jsonl');
const recordFile = (id: string) => join(t.dir, 'bakes', id, 'record.json');

async function collect(iterable: AsyncIterable<BakeEvent>): Promise<BakeEvent[]> {
  const out: BakeEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
}

/** A running bake with its checkpoint on disk (so a test can then damage record.json or the journal). */
async function startBake(id: string, project = 'web'): Promise<void> {
  await t.store.bakes.appendEvents(id, [
    created(id, project),
    ...events(
      id,
      1,
      { type: 'status', status: 'running' },
      { type: 'resource', kind: 'instance', id: 'i-0123456789abcdef0' },
    ),
  ]);
  await t.store.bakes.flush();
}

describe('the journal', () => {
  test('appended events are on disk when appendEvents resolves, and another process sees them', async () => {
    await startBake(A);
    const record = await t.store.bakes.appendEvents(
      A,
      events(A, 3, { type: 'step', step: 'launch', status: 'done' }),
    );
    expect(record).toMatchObject({ status: 'running', instanceId: 'i-0123456789abcdef0', seq: 3 });

    const other = t.reopen();
    expect(await other.bakes.get(A)).toEqual(record);
    expect((await collect(other.bakes.readEvents(A))).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect((await collect(other.bakes.readEvents(A, { afterSeq: 1 }))).map((e) => e.type)).toEqual([
      'resource',
      'step',
    ]);
    await t.store.bakes.flush();
    expect(JSON.parse(await readFile(recordFile(A), 'utf8'))).toEqual(record);
  });

  test('an append waits for the journal only: record.json is written behind it, and failing to is harmless', async () => {
    await startBake(A);
    // record.json cannot be replaced now (a non-empty directory is in its way).
    await unlink(recordFile(A));
    await mkdir(join(recordFile(A), 'blocked'), { recursive: true });
    const record = await t.store.bakes.appendEvents(
      A,
      events(A, 3, { type: 'resource', kind: 'image', id: 'ami-0aaaaaaaaaaaaaaaa' }),
    );
    expect(record).toMatchObject({ seq: 3, imageId: 'ami-0aaaaaaaaaaaaaaaa' });
    expect(await t.store.bakes.get(A)).toEqual(record);
    await t.store.bakes.flush();
    expect(t.warnings.some((w) => w.startsWith(`Bake ${A}: record.json not updated`))).toBe(true);
    expect((await collect(t.reopen().bakes.readEvents(A))).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
  });

  test('another process reading while record.json is behind the journal still gets every journaled event', async () => {
    await startBake(A);
    const behind = await readFile(recordFile(A), 'utf8');
    await t.store.bakes.appendEvents(
      A,
      events(
        A,
        3,
        { type: 'step', step: 'launch', status: 'done' },
        { type: 'resource', kind: 'image', id: 'ami-0aaaaaaaaaaaaaaaa' },
      ),
    );
    await t.store.bakes.flush();
    // As if the checkpoint had not been written yet (or a crash lost it).
    await writeFile(recordFile(A), behind);
    const seen = await t.reopen().bakes.get(A);
    expect(seen).toEqual(await t.store.bakes.get(A));
    expect(seen).toMatchObject({ seq: 4, imageId: 'ami-0aaaaaaaaaaaaaaaa' });
    // A line being written right now (no newline yet) is not an event yet, and not a problem either.
    await appendFile(journal(A), '{"type":"cleanup","bakeId"');
    const warned = t.warnings.length;
    expect((await t.reopen().bakes.get(A))?.seq).toBe(4);
    expect(t.warnings.length).toBe(warned);
  });

  test('a final record is on disk, complete, when the append that finished the bake resolves', async () => {
    await startBake(A);
    const record = await t.store.bakes.appendEvents(
      A,
      events(A, 3, { type: 'status', status: 'succeeded', message: 'done' }),
    );
    expect(JSON.parse(await readFile(recordFile(A), 'utf8'))).toEqual(record);
    expect(await readdir(join(t.dir, 'index', 'active-bakes'))).toEqual([]);
  });

  test('refuses out-of-order seqs, a second created, foreign events and unknown bakes', async () => {
    await startBake(A);
    expect(await code(t.store.bakes.appendEvents(A, events(A, 2, { type: 'cleanup', action: 'x' })))).toBe(
      'INVALID_INPUT',
    );
    expect(await code(t.store.bakes.appendEvents(A, [created(A)]))).toBe('CONFLICT');
    expect(await code(t.reopen().bakes.appendEvents(A, [created(A)]))).toBe('CONFLICT');
    const B = 'bk_0000000001bbbbbbbbbb';
    expect(await code(t.store.bakes.appendEvents(A, events(B, 9, { type: 'cleanup', action: 'x' })))).toBe(
      'INVALID_INPUT',
    );
    expect(await code(t.store.bakes.appendEvents(B, events(B, 1, { type: 'cleanup', action: 'x' })))).toBe(
      'NOT_FOUND',
    );
    expect(await code(t.store.bakes.get('../../etc'))).toBe('INVALID_INPUT');
  });

  test('concurrent appends to one bake are serialized in call order', async () => {
    await startBake(A);
    await Promise.all(
      [3, 4, 5, 6].map((seq) =>
        t.store.bakes.appendEvents(A, events(A, seq, { type: 'cleanup', action: `c${seq}` })),
      ),
    );
    expect((await t.reopen().bakes.get(A))?.cleanedUp).toEqual(['c3', 'c4', 'c5', 'c6']);
  });

  test('a torn last line is ignored with a warning, and the next append is not glued onto it', async () => {
    await startBake(A);
    const fragment = '{"type":"resource","bakeId":"bk_0000000001aaaaaaaaaa","seq":3,"at":1,"ki';
    await appendFile(journal(A), fragment);
    const other = t.reopen();
    expect((await collect(other.bakes.readEvents(A))).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(t.warnings.some((w) => w.includes('events.jsonl ends with an incomplete line'))).toBe(true);

    const record = await other.bakes.appendEvents(
      A,
      events(A, 3, { type: 'resource', kind: 'image', id: 'ami-0aaaaaaaaaaaaaaaa' }),
    );
    expect(record.imageId).toBe('ami-0aaaaaaaaaaaaaaaa');
    expect((await collect(other.bakes.readEvents(A))).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect((await readFile(journal(A), 'utf8')).endsWith('\n')).toBe(true);
    expect(t.warnings).toContain(
      `Bake ${A}: dropped ${fragment.length} bytes of a journal line cut short by a crash.`,
    );
  });

  test('an unreadable line in the middle is skipped, the rest still counts', async () => {
    await startBake(A);
    await appendFile(journal(A), 'garbage\n');
    await appendFile(
      journal(A),
      `${JSON.stringify(events(A, 3, { type: 'cleanup', action: 'after' })[0])}\n`,
    );
    const rebuilt = await t.reopen().bakes.rebuild(A);
    expect(rebuilt?.cleanedUp).toEqual(['after']);
    expect(t.warnings.some((w) => /events\.jsonl line 4 is unreadable/.test(w))).toBe(true);
  });

  test('console lines go to a bounded console.log, keeping the newest output', async () => {
    const small = t.reopen({ consoleCapBytes: 1000 });
    await small.bakes.appendEvents(A, [created(A)]);
    for (let i = 0; i < 40; i++) {
      await small.bakes.appendEvents(
        A,
        events(A, i + 1, { type: 'console', lines: [`line ${i} ${'x'.repeat(40)}`] }),
      );
    }
    const lines = await small.bakes.readConsole(A);
    expect(lines[0]).toBe(CONSOLE_TRUNCATED_MARKER);
    expect(lines.at(-1)).toMatch(/^line 39 /);
    expect((await stat(join(t.dir, 'bakes', A, 'console.log'))).size).toBeLessThanOrEqual(1000);
    expect(await small.bakes.readConsole(A, { tailLines: 2 })).toEqual([
      expect.stringMatching(/^line 38/),
      expect.stringMatching(/^line 39/),
    ]);
    // The journal stays small: console events are not in it.
    expect((await collect(small.bakes.readEvents(A))).map((e) => e.type)).toEqual(['created']);
  });
});

describe('record.json', () => {
  test('a corrupt record is quarantined and rebuilt from the journal', async () => {
    await startBake(A);
    await writeFile(recordFile(A), '{"id": "bk_0000000001aaaaaaaaaa", "trunc');
    const record = await t.reopen().bakes.get(A);
    expect(record).toMatchObject({ id: A, status: 'running', instanceId: 'i-0123456789abcdef0', seq: 2 });
    expect(JSON.parse(await readFile(recordFile(A), 'utf8'))).toEqual(record);
    expect(
      (await readdir(join(t.dir, 'quarantine'))).some((f) => f.endsWith(`bakes__${A}__record.json`)),
    ).toBe(true);
  });

  test('the notice for a corrupt record says it was rebuilt', async () => {
    await startBake(A);
    await writeFile(recordFile(A), JSON.stringify({ id: A }));
    const other = t.reopen();
    await other.bakes.get(A);
    expect(other.notices.list()[0]?.message).toMatch(
      new RegExp(
        `^bakes/${A}/record\\.json was unreadable and was moved to quarantine/.+: .+\\. The record was rebuilt from the bake journal$`,
      ),
    );
  });

  test('an empty record (a power cut after its rename) is rebuilt without a notice', async () => {
    await startBake(A);
    await writeFile(recordFile(A), '');
    const other = t.reopen();
    expect(await other.bakes.get(A)).toMatchObject({ instanceId: 'i-0123456789abcdef0', seq: 2 });
    expect(other.notices.list()).toEqual([]);
  });

  test('a missing record is rebuilt; a bake with no readable created event is quarantined whole', async () => {
    await startBake(A);
    await unlink(recordFile(A));
    expect((await t.reopen().bakes.get(A))?.instanceId).toBe('i-0123456789abcdef0');

    await writeFile(journal(A), 'nothing useful\n');
    await unlink(recordFile(A));
    const other = t.reopen();
    expect(await other.bakes.get(A)).toBeUndefined();
    expect(other.notices.list()[0]?.message).toMatch(/^bakes\/bk_0000000001aaaaaaaaaa was unreadable/);
    expect(await other.bakes.list()).toEqual([]);
    expect(await readdir(join(t.dir, 'index', 'active-bakes'))).toEqual([]);
    expect(await readdir(join(t.dir, 'index', 'project-bakes', 'web'))).toEqual([]);
  });
});

describe('listing', () => {
  const ids = [
    'bk_0000000001aaaaaaaaaa',
    'bk_0000000002aaaaaaaaaa',
    'bk_0000000003aaaaaaaaaa',
    'bk_0000000004aaaaaaaaaa',
    'bk_0000000005aaaaaaaaaa',
  ];

  test('newest first, with limit, before and project, reading only the records returned', async () => {
    for (const [i, id] of ids.entries())
      await t.store.bakes.appendEvents(id, [created(id, i % 2 ? 'api' : 'web')]);
    // If listing read every record, this one would be found corrupt and quarantined.
    await writeFile(recordFile(ids[0]!), 'not json');
    const other = t.reopen();

    expect((await other.bakes.list({ limit: 2 })).map((b) => b.id)).toEqual([ids[4], ids[3]]);
    expect((await other.bakes.list({ limit: 2, before: ids[3] })).map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect((await other.bakes.list({ project: 'api' })).map((b) => b.id)).toEqual([ids[3], ids[1]]);
    expect((await other.bakes.list({ project: 'web', limit: 2 })).map((b) => b.id)).toEqual([ids[4], ids[2]]);
    expect(await other.bakes.list({ project: 'nobody' })).toEqual([]);
    expect(other.notices.list()).toEqual([]);

    expect((await other.bakes.list({ limit: 10 })).map((b) => b.id)).toEqual([...ids].reverse());
    expect(other.notices.list()).toHaveLength(1);
  });

  test('new bake ids are time-sortable and match the pattern', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const first = newBakeId(clock);
    clock.advance(1).catch(() => undefined);
    const second = newBakeId(clock);
    expect(first).toMatch(BAKE_ID_PATTERN);
    expect(second > first).toBe(true);
    expect(bakeIdTime(first)).toBe(Date.UTC(2026, 0, 1));
    expect(new Set(Array.from({ length: 50 }, () => newBakeId(clock))).size).toBe(50);
  });
});

describe('crash recovery', () => {
  test('unfinished bakes come from the active index; finishing removes them from it', async () => {
    const B = 'bk_0000000002bbbbbbbbbb';
    await startBake(A);
    await startBake(B);
    await t.store.bakes.appendEvents(B, events(B, 3, { type: 'status', status: 'succeeded' }));
    expect((await t.store.bakes.unfinished()).map((b) => b.id)).toEqual([A]);
    expect(await readdir(join(t.dir, 'index', 'active-bakes'))).toEqual([A]);
  });

  test('orphans are brought up to date from the journal, so resources journaled after the last record write are found', async () => {
    await startBake(A);
    // A crash after the journal append but before record.json was rewritten:
    await appendFile(
      journal(A),
      `${JSON.stringify(events(A, 3, { type: 'resource', kind: 'image', id: 'ami-0bbbbbbbbbbbbbbbb' })[0])}\n`,
    );
    const recovering = t.reopen();
    const [orphan] = await recovering.bakes.orphans();
    expect(orphan).toMatchObject({
      id: A,
      instanceId: 'i-0123456789abcdef0',
      imageId: 'ami-0bbbbbbbbbbbbbbbb',
      seq: 3,
    });
    // The process that takes it over appends after the last journaled event, not after record.json.
    const record = await recovering.bakes.appendEvents(
      A,
      events(A, 4, { type: 'status', status: 'interrupted' }),
    );
    expect(record).toMatchObject({ status: 'interrupted', imageId: 'ami-0bbbbbbbbbbbbbbbb', seq: 4 });
    expect(JSON.parse(await readFile(recordFile(A), 'utf8'))).toEqual(record);
  });

  test('a bake a live process owns is not an orphan', async () => {
    await startBake(A);
    const claim = await t.store.bakes.claim(A);
    expect(await t.reopen().bakes.orphans()).toEqual([]);
    await claim.release();
    expect((await t.reopen().bakes.orphans()).map((b) => b.id)).toEqual([A]);
  });

  test('the recovering process can finish the orphan: it appends after the journal it did not write', async () => {
    await startBake(A);
    const recovering = t.reopen();
    const record = await recovering.bakes.appendEvents(
      A,
      events(A, 3, { type: 'status', status: 'interrupted' }),
    );
    expect(record).toMatchObject({ status: 'interrupted', instanceId: 'i-0123456789abcdef0' });
    expect(await recovering.bakes.unfinished()).toEqual([]);
  });
});

test('under a VirtualClock, time does not jump while a store write is in flight', async () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const store = t.reopen({ clock });
  clock.startAuto();
  const start = clock.now();
  const sleeping = clock.sleep(60_000);
  await store.bakes.appendEvents(A, [created(A)]);
  expect(clock.now()).toBe(start);
  await sleeping;
  expect(clock.now()).toBe(start + 60_000);
  clock.stopAuto();
});
