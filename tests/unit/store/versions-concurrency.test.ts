import { fork } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { storePaths } from '../../../src/main/services/store/paths';
import { bundleFixture } from './fork-fixture';
import { tempStore } from './helpers';
import type { TestStore } from './helpers';

// Two real processes run the real store code.
let bundle: Awaited<ReturnType<typeof bundleFixture>>;
let worker: string;
let t: TestStore;

beforeAll(async () => {
  bundle = await bundleFixture('record-versions.ts');
  worker = bundle.file;
  t = await tempStore();
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
  await bundle?.cleanup();
});

interface WorkerResult {
  numbers?: number[];
  error?: string;
}

function startWorker(id: string, count: number) {
  const child = fork(worker, [t.dir, 'web', String(count), id], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (expected: string) =>
    new Promise<void>((resolve) => {
      const onMessage = (m: unknown) => {
        if (m !== expected) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
  const ready = next('ready');
  const started = next('started');
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on('message', (m) => {
      if (typeof m === 'object' && m !== null) resolve(m);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${id} exited with ${code}`));
    });
  });
  return { child, ready, started, result };
}

test('two processes recording versions of one project at once get distinct, gapless numbers', async () => {
  const perWorker = 10;
  // Hold the project's versions lock so both workers start their first record together, blocked on it.
  await mkdir(join(t.dir, 'versions'), { recursive: true });
  const release = await lock(storePaths(t.dir).versionsLock('web'), {
    lockfilePath: storePaths(t.dir).versionsLock('web'),
    realpath: false,
  });
  const workers = [startWorker('a', perWorker), startWorker('b', perWorker)];
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.send('go');
  await Promise.all(workers.map((w) => w.started));
  expect(await readdir(join(t.dir, 'versions', 'web')).catch(() => [])).toEqual([]);
  await release();
  const results = await Promise.all(workers.map((w) => w.result));

  for (const r of results) expect(r.error).toBeUndefined();
  const all = results.flatMap((r) => r.numbers ?? []);
  expect(all).toHaveLength(2 * perWorker);
  expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * perWorker }, (_, i) => i + 1));

  const files = (await readdir(join(t.dir, 'versions', 'web'))).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(2 * perWorker);
  const listed = await t.store.versions.list('web', { limit: 100 });
  expect(listed.map((v) => v.version)).toEqual(
    Array.from({ length: 2 * perWorker }, (_, i) => 2 * perWorker - i),
  );
});
