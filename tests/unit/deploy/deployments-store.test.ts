import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';
import { createStore, newDeployId, type Store } from '../../../src/main/services/store';
import type { Deployment } from '../../../src/shared/deploy';

let dir: string;
let store: Store;
const clock = new VirtualClock(Date.UTC(2026, 0, 1));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qx-deployments-'));
  store = createStore({ dataDir: dir, clock, logger: { warn: () => undefined }, actor: 'tests' });
  await store.projects.create({
    name: 'web',
    baseImage: { kind: 'id', imageId: 'ami-0123456789abcdef0' },
    initScript: '#!/bin/sh\n',
  });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function deployment(more: Partial<Deployment> = {}): Deployment {
  return {
    id: newDeployId(clock),
    project: 'web',
    version: 1,
    imageId: 'ami-0123456789abcdef0',
    group: 'web-asg',
    region: 'eu-west-1',
    profile: 'sandbox',
    simulated: true,
    kind: 'deploy',
    trigger: 'cli',
    by: { actor: 'tests', user: 'me', host: 'here' },
    status: 'running',
    createdAt: clock.now(),
    steps: [{ step: 'preflight', status: 'done' }],
    preferences: {
      minHealthyPercentage: 90,
      maxHealthyPercentage: 100,
      checkpoints: [],
      skipMatching: true,
      autoRollback: true,
    },
    instances: [],
    warnings: [],
    apiCalls: 0,
    seq: 0,
    ...more,
  };
}

describe('the deployment history', () => {
  it('lists newest first, and a finished deployment is no longer active or owned', async () => {
    const first = deployment();
    await store.deployments.create(first);
    await clock.advance(1_000);
    const second = deployment();
    await store.deployments.create(second);
    expect((await store.deployments.list('web')).map((d) => d.id)).toEqual([second.id, first.id]);
    expect(await readdir(join(dir, 'deployments', '.active'))).toEqual([first.id, second.id].sort());
    await store.deployments.save({ ...first, status: 'succeeded', endedAt: clock.now() });
    expect(await readdir(join(dir, 'deployments', '.active'))).toEqual([second.id]);
    expect((await readdir(join(dir, 'deployments', 'web'))).filter((f) => f.endsWith('.owner'))).toEqual([
      `${second.id}.owner`,
    ]);
    expect(await store.deployments.get(first.id)).toMatchObject({ status: 'succeeded' });
  });

  it('sets a corrupt record aside instead of failing the list', async () => {
    const good = deployment();
    await store.deployments.create(good);
    const broken = newDeployId(clock).replace(/.$/, 'z');
    await writeFile(join(dir, 'deployments', 'web', `${broken}.json`), '{ not json');
    expect((await store.deployments.list('web')).map((d) => d.id)).toEqual([good.id]);
    expect(store.notices.list().some((n) => n.file.includes(broken))).toBe(true);
  });

  it('follows a project rename, and refuses the rename while a deployment runs', async () => {
    const running = deployment();
    await store.deployments.create(running);
    await expect(store.projects.rename('web', 'shop')).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.deployments.save({ ...running, status: 'succeeded' });
    await store.projects.rename('web', 'shop');
    expect(await store.deployments.list('web')).toEqual([]);
    expect((await store.deployments.list('shop')).map((d) => [d.id, d.project])).toEqual([
      [running.id, 'shop'],
    ]);
  });

  it('refuses ids and project names that are not ids or names, before touching the disk', async () => {
    await expect(store.deployments.get('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.deployments.list('../x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
