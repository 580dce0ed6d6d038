import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { BakeOwner } from '../../../src/main/services/store';
import { applyBakeEvent } from '../../../src/shared/bake-reducer';
import { created, events, tempStore } from './helpers';
import type { TestStore } from './helpers';

/**
 * A listing tells the truth about a bake whose process died: `interrupted` with how it will be recovered,
 * not the `running` its journal last said — without changing the journal, and only until recovery moves it.
 */
const A = 'bk_0000000001aaaaaaaaaa';
let t: TestStore;
let wall: number;
const ownerOpts = { heartbeatMs: 1000, staleMs: 5000, now: () => wall };

beforeEach(async () => {
  wall = 1_000_000;
  t = await tempStore({ owner: ownerOpts });
  await t.store.bakes.appendEvents(A, [
    created(A),
    ...events(A, 1, { type: 'status', status: 'running', message: 'Launching the builder' }),
  ]);
});
afterEach(() => t.cleanup());

async function writeOwner(owner: Partial<BakeOwner>): Promise<void> {
  const full: BakeOwner = {
    pid: process.pid,
    hostname: hostname(),
    startToken: 'another-process',
    actor: 'quadraxis CLI',
    claimedAt: wall,
    heartbeatAt: wall,
    ...owner,
  };
  await writeFile(join(t.dir, 'bakes', A, 'owner.json'), JSON.stringify(full));
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

test('a bake run by a live process lists as it is', async () => {
  await writeOwner({});
  const [listed] = await t.reopen().bakes.list();
  expect(listed).toMatchObject({ id: A, status: 'running', message: 'Launching the builder' });
  expect(listed).not.toHaveProperty('orphaned');
});

test('a bake whose process died lists as interrupted, says who and how it will be recovered', async () => {
  const pid = await deadPid();
  await writeOwner({ pid });
  const other = t.reopen();
  const [listed] = await other.bakes.list();
  expect(listed).toMatchObject({
    id: A,
    status: 'interrupted',
    orphaned: {
      was: 'running',
      wasMessage: 'Launching the builder',
      reason: 'dead-process',
      owner: { pid, hostname: hostname(), actor: 'quadraxis CLI' },
    },
  });
  expect(listed!.message).toContain(`quadraxis CLI (pid ${pid} on ${hostname()}) is gone`);
  expect(listed!.message).toContain('`quadraxis bakes --recover`');
  expect(await other.bakes.show(A)).toEqual(listed);
  // Recovery and the engine read the journal's record: untouched, on disk too.
  expect(await other.bakes.get(A)).toMatchObject({ status: 'running' });
  expect((await other.bakes.orphans()).map((r) => r.status)).toEqual(['running']);
  await t.store.bakes.flush();
  expect(JSON.parse(await readFile(join(t.dir, 'bakes', A, 'record.json'), 'utf8'))).toMatchObject({
    status: 'running',
  });
});

test('a frozen or far-away owner whose heartbeat went stale counts as gone too', async () => {
  await writeOwner({ hostname: 'build-host-2', heartbeatAt: wall - 60_000 });
  const [listed] = await t.reopen().bakes.list();
  expect(listed).toMatchObject({ status: 'interrupted', orphaned: { reason: 'stale-heartbeat' } });
});

test('a bake this process is running is never shown as anyone’s orphan', async () => {
  const claim = await t.store.bakes.claim(A);
  try {
    expect((await t.store.bakes.list())[0]).toMatchObject({ status: 'running' });
    expect(
      (await t.reopen({ owner: { ...ownerOpts, processToken: 'other' } }).bakes.list())[0],
    ).toMatchObject({
      status: 'running',
    });
  } finally {
    await claim.release();
  }
});

test('once recovery moves the bake on, the view is gone: the next event applies to the journal’s record', async () => {
  const pid = await deadPid();
  await writeOwner({ pid });
  const [view] = await t.reopen().bakes.list();
  // A renderer holding the view applies the resumed bake's next event.
  const [next] = events(A, 2, { type: 'step', step: 'run-script', status: 'running' });
  const moved = applyBakeEvent(view, next!);
  expect(moved).not.toHaveProperty('orphaned');
  expect(moved).toMatchObject({ status: 'running', message: 'Launching the builder', seq: 2 });
  // Stored records never carry a view, whoever writes one back.
  await t.store.bakes.appendEvents(A, [next!]);
  await t.store.bakes.flush();
  expect(await readFile(join(t.dir, 'bakes', A, 'record.json'), 'utf8')).not.toContain('orphaned');
});
