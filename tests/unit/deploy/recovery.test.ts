import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCallerIdentity } from '../../../src/main/services/aws/identity';
import type { Connection } from '../../../src/main/services/bake';
import { RegionRegistry } from '../../../src/main/services/bake/region-services';
import { prepareDeploy } from '../../../src/main/services/deploy/plan';
import { newRecord } from '../../../src/main/services/deploy/service';
import { silentLogger } from '../../../src/main/services/logger';
import { AMI_V2, DeployHarness } from './harness';

let h: DeployHarness;
beforeEach(async () => {
  h = await DeployHarness.create();
});
afterEach(() => h.close());

describe('a deployment whose process stops', () => {
  it('is taken over by the next start, which watches the refresh to its end and sets the default version', async () => {
    await h.group();
    const first = h.service();
    const started = await first.start(h.request());
    await new Promise<void>((resolve) => {
      const off = first.subscribe((e) => {
        if (e.deployId === started.id && e.type === 'refresh' && e.refresh.percentage >= 25) {
          off();
          resolve();
        }
      });
    });
    await first.shutdown();
    const left = await h.store.deployments.get(started.id);
    expect(left?.status).toBe('running');

    const second = h.service({ processToken: 'second' });
    const third = h.service({ processToken: 'third' });
    const [a, b] = await Promise.all([second.recover(), third.recover()]);
    // Exactly one of them took it over.
    expect([...a, ...b].map((d) => d.id)).toEqual([started.id]);
    const taker = a.length ? second : third;
    const final = await taker.waitForFinal(started.id);
    expect(final.status).toBe('succeeded');
    // It watched the refresh the first process started; it started none of its own.
    expect(h.sim.calls({ action: 'StartInstanceRefresh' })).toHaveLength(1);
    expect(final.refreshId).toBe(h.sim.instanceRefreshes()[0]!.instanceRefreshId);
    expect(await h.defaultVersion()).toEqual({ version: 2, imageId: AMI_V2 });
    expect((await h.instances()).every((i) => i.ImageId === AMI_V2)).toBe(true);
  });

  it('ends interrupted when it stopped before anything reached the group', async () => {
    await h.group();
    // As if a process died right after recording the deployment: checked and recorded, nothing sent yet.
    const deps = {
      store: h.store,
      clock: h.clock,
      connect: h.connect,
      regions: new RegionRegistry(h.clock, silentLogger, 2_000),
      identity: (c: Connection) => getCallerIdentity(c.clients),
      logger: silentLogger,
      actor: 'a process that dies',
    };
    const plan = await prepareDeploy(deps, h.request(), new AbortController().signal);
    const record = newRecord(deps, plan, 'cli', 'deploy');
    await h.store.deployments.create(record);
    await h.store.deployments.release(record);

    const second = h.service({ processToken: 'second' });
    expect((await second.recover()).map((d) => d.id)).toEqual([record.id]);
    const final = await second.waitForFinal(record.id);
    expect(final.status).toBe('interrupted');
    expect(final.message).toContain('before it changed anything');
    expect(h.sim.calls({ action: 'CreateLaunchTemplateVersion' })).toEqual([]);
    expect(h.sim.calls({ action: 'StartInstanceRefresh' })).toEqual([]);
    expect(await h.store.deployments.orphans()).toEqual([]);
  });
});
