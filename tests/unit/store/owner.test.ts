import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { BakeOwner } from '../../../src/main/services/store';
import { AppError } from '../../../src/shared/result';
import { created, tempStore } from './helpers';
import type { TestStore } from './helpers';

const A = 'bk_0000000001aaaaaaaaaa';
let t: TestStore;
let wall: number;
const ownerOpts = { heartbeatMs: 1000, staleMs: 5000, now: () => wall };

beforeEach(async () => {
  wall = 1_000_000;
  t = await tempStore({ owner: ownerOpts });
  await t.store.bakes.appendEvents(A, [created(A)]);
});
afterEach(async () => {
  vi.useRealTimers();
  await t.cleanup();
});

const ownerFile = () => join(t.dir, 'bakes', A, 'owner.json');

async function writeOwner(owner: Partial<BakeOwner>): Promise<void> {
  const full: BakeOwner = {
    pid: process.pid,
    hostname: hostname(),
    startToken: 'another-process',
    actor: 'test',
    claimedAt: wall,
    heartbeatAt: wall,
    ...owner,
  };
  await writeFile(ownerFile(), JSON.stringify(full));
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('liveOwner', () => {
  test('our own claimed bake is live; without owner.json nobody owns it', async () => {
    expect(await t.store.bakes.liveOwner(A)).toEqual({ live: false, reason: 'no-owner' });
    const claim = await t.store.bakes.claim(A);
    const live = await t.store.bakes.liveOwner(A);
    expect(live).toMatchObject({
      live: true,
      owner: { pid: process.pid, hostname: hostname(), heartbeatAt: wall },
    });
    await claim.release();
    expect(await t.store.bakes.liveOwner(A)).toEqual({ live: false, reason: 'no-owner' });
  });

  test('a dead pid on this host is not live, even with a fresh heartbeat', async () => {
    await writeOwner({ pid: await deadPid() });
    expect(await t.store.bakes.liveOwner(A)).toMatchObject({ live: false, reason: 'dead-process' });
  });

  test('a stale heartbeat is not live, even if the pid exists (it may have been reused)', async () => {
    await writeOwner({ heartbeatAt: wall - 5001 });
    expect(await t.store.bakes.liveOwner(A)).toMatchObject({ live: false, reason: 'stale-heartbeat' });
  });

  test('another host is trusted while its heartbeat is fresh', async () => {
    await writeOwner({ hostname: 'some-other-host', pid: 999_999 });
    expect((await t.store.bakes.liveOwner(A)).live).toBe(true);
    wall += 6000;
    expect((await t.store.bakes.liveOwner(A)).live).toBe(false);
  });

  test('an unreadable owner.json is not live', async () => {
    await writeFile(ownerFile(), '{');
    expect(await t.store.bakes.liveOwner(A)).toEqual({ live: false, reason: 'unreadable' });
  });
});

describe('claim', () => {
  test('refuses a bake another live process owns, takes over a dead one', async () => {
    await writeOwner({ pid: process.ppid, actor: 'Quadraxis app' });
    const refused = await t.store.bakes.claim(A).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('CONFLICT');
    expect((refused as AppError).message).toMatch(`being run by Quadraxis app (pid ${process.ppid}`);

    await writeOwner({ pid: await deadPid() });
    const claim = await t.store.bakes.claim(A);
    expect(JSON.parse(await readFile(ownerFile(), 'utf8')).pid).toBe(process.pid);
    await claim.release();
  });

  test('claiming an unknown bake is NOT_FOUND', async () => {
    const error = await t.store.bakes.claim('bk_0000000009zzzzzzzzzz').catch((e: unknown) => e);
    expect((error as AppError).code).toBe('NOT_FOUND');
  });

  test('the heartbeat keeps the claim fresh', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const claim = await t.store.bakes.claim(A);
    wall += 4000;
    vi.advanceTimersByTime(1000);
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(ownerFile(), 'utf8')).heartbeatAt).toBe(wall),
    );
    wall += 4000;
    expect((await t.store.bakes.liveOwner(A)).live).toBe(true);
    await claim.release();
  });

  test('a process whose claim went stale learns it lost the bake, and its release leaves the new owner alone', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let lost!: (by: BakeOwner) => void;
    const lostTo = new Promise<BakeOwner>((resolve) => (lost = resolve));
    const first = await t.store.bakes.claim(A, (by) => lost(by));

    wall += 6000; // frozen past the stale limit
    await writeOwner({ pid: process.ppid, actor: 'quadraxis CLI', heartbeatAt: wall });
    vi.advanceTimersByTime(1000);
    expect((await lostTo).actor).toBe('quadraxis CLI');

    await first.release();
    expect(JSON.parse(await readFile(ownerFile(), 'utf8')).actor).toBe('quadraxis CLI');
  });
});
