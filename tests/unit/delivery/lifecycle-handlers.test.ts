import { afterEach, expect, test } from 'vitest';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';

let app: AppFixture;
afterEach(async () => app.close());

const project = {
  name: 'web',
  baseImage: {
    kind: 'ssm',
    parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
  },
  initScript: '#!/bin/sh\necho hi\n',
} as const;

test('lifecycle:plan and lifecycle:prune check their input and the project before anything runs', async () => {
  app = await openAppFixture();
  app.ctx.settings.update({ profile: 'sandbox' });
  await app.ctx.runtime.store.projects.create(project);
  const malformed = await app.call('lifecycle:prune', { project: 'web', imageIds: ['ami-nope'] });
  expect(malformed).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  const none = await app.call('lifecycle:prune', { project: 'web', imageIds: [] });
  expect(none).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  const missing = await app.call('lifecycle:plan', { project: 'nope' });
  expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  const unruled = await app.call('lifecycle:plan', { project: 'web' });
  expect(unruled).toMatchObject({
    ok: false,
    error: { code: 'INVALID_INPUT', message: expect.stringContaining('web has no retention rules') },
  });
});

test('lifecycle:prune answers with a job id at once and reports the end as an event', async () => {
  app = await openAppFixture();
  app.ctx.settings.update({ profile: 'sandbox' });
  await app.ctx.runtime.store.projects.create({ ...project, retention: { keep: 1 } });
  const plan = await app.value('lifecycle:plan', { project: 'web' });
  expect(plan).toMatchObject({ project: 'web', images: [], rules: { keep: 1 } });
  const { jobId } = await app.value('lifecycle:prune', {
    project: 'web',
    imageIds: ['ami-0123456789abcdef0'],
  });
  expect(jobId).toMatch(/^pj_/);
  await expect
    .poll(() => app.events.find((e) => e.channel === 'lifecycle:progress')?.payload)
    .toMatchObject({ type: 'finished', jobId, project: 'web', report: { acted: false, outcomes: [] } });
});
