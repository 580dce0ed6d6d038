import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserData, USER_DATA_LIMIT_BYTES } from '../../../src/main/services/bake';
import { systemClock } from '../../../src/main/services/clock';
import { newBakeId } from '../../../src/main/services/store';
import { ProjectSchema } from '../../../src/shared/project';
import { PROJECT_TEMPLATES, projectFromTemplate } from '../../../src/shared/project-templates';
import { diagnoseScript, sizeVerdict } from '../../../src/shared/script-diagnostics';
import { openAppFixture, type AppFixture } from '../../helpers/app-fixture';
import { bakeRecord } from '../../helpers/bake-record';
import { versionInput } from '../../helpers/version-input';
import { sampleProject } from './sample-project';

let app: AppFixture;
beforeAll(async () => {
  app = await openAppFixture();
});
afterAll(async () => {
  await app.close();
});

const completion = { mode: 'wrapper' as const, timeoutMinutes: 30, cloudInitClean: true };

/** A version recorded now; each has its own bake id, as versions of one project must. */
const version = (project: string, initScript: string) =>
  versionInput(project, { bakeId: newBakeId(systemClock), createdAt: systemClock.now(), initScript });

describe('project templates', () => {
  it('are valid, bakeable projects whose scripts have nothing to warn about', () => {
    for (const template of PROJECT_TEMPLATES) {
      const project = ProjectSchema.parse(projectFromTemplate(template, template.suggestedName));
      expect(diagnoseScript(project.initScript, { envCount: Object.keys(project.env).length })).toEqual([]);
    }
    expect(PROJECT_TEMPLATES.map((t) => t.id)).toEqual(['al2023-nginx', 'ubuntu-docker', 'blank']);
  });

  it('start with the script timeout Settings give new projects', () => {
    const [template] = PROJECT_TEMPLATES;
    const project = ProjectSchema.parse(projectFromTemplate(template!, 'slow', { scriptTimeoutMinutes: 90 }));
    expect(project.completion).toEqual({ mode: 'wrapper', timeoutMinutes: 90, cloudInitClean: true });
    expect(ProjectSchema.parse(projectFromTemplate(template!, 'plain')).completion.timeoutMinutes).toBe(30);
  });
});

describe('projects handlers', () => {
  it('creates, lists, saves with optimistic concurrency, and tells the renderer each change', async () => {
    const created = await app.value('projects:create', { project: sampleProject('web') });
    expect(created.file).toBe('projects/web.yaml');
    const listed = await app.value('projects:list', undefined);
    expect(listed).toEqual([expect.objectContaining({ name: 'web', revision: created.revision })]);
    expect(listed[0]?.lastBake).toBeUndefined();

    const edited = { ...created.project, description: 'edited here' };
    const saved = await app.value('projects:save', { project: edited, revision: created.revision });
    // Someone else (the CLI, another window) saved since our first read: a stale save is refused in words.
    const stale = await app.call('projects:save', { project: edited, revision: created.revision });
    expect(stale).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringContaining('web') },
    });
    const forced = await app.value('projects:save', {
      project: { ...edited, description: 'mine wins' },
      revision: created.revision,
      overwrite: true,
    });
    expect(forced.revision).not.toBe(saved.revision);
    expect((await app.value('projects:get', 'web')).project.description).toBe('mine wins');
    expect(app.events.filter((e) => e.channel === 'projects:changed').map((e) => e.payload)).toEqual([
      { name: 'web', reason: 'created' },
      { name: 'web', reason: 'saved' },
      { name: 'web', reason: 'saved' },
    ]);
  });

  it('imports with line-accurate issues, refuses a clash unless replacing, and exports what imports back', async () => {
    const lines = ['name: api', 'baseImage:', '  kind: id', '  imageId: ami-123', 'initScript: "#!/bin/sh"'];
    const invalid = await app.value('projects:import', { fileName: 'api.yaml', text: lines.join('\n') });
    expect(invalid).toEqual({
      status: 'invalid',
      issues: [expect.objectContaining({ line: 4, path: 'baseImage.imageId' })],
    });
    lines[3] = '  imageId: ami-0123456789abcdef0';
    lines.splice(4, 0, 'instancetype: t3.micro');
    const typo = await app.value('projects:import', { fileName: 'api.yaml', text: lines.join('\n') });
    expect(typo).toEqual({
      status: 'invalid',
      issues: [
        expect.objectContaining({ line: 5, message: expect.stringContaining('did you mean instanceType') }),
      ],
    });

    const exported = await app.value('projects:export', 'web');
    expect(exported.fileName).toBe('web.yaml');
    const clash = await app.call('projects:import', { fileName: 'web.yaml', text: exported.text });
    expect(clash).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { project: 'web' } } });
    const replaced = await app.value('projects:import', {
      fileName: 'web.yaml',
      text: exported.text,
      replace: true,
    });
    expect(replaced).toMatchObject({ status: 'imported', replaced: true });
    const json = await app.value('projects:import', {
      fileName: 'copy.json',
      text: JSON.stringify({ ...sampleProject('from-json'), description: 'json file' }),
    });
    expect(json).toMatchObject({
      status: 'imported',
      replaced: false,
      entry: { project: { name: 'from-json' } },
    });
  });

  it('duplicates without history, renames with it, and deletes keeping versions unless asked', async () => {
    await app.value('projects:create', { project: sampleProject('svc', '#!/bin/sh\necho one\n') });
    await app.ctx.runtime.store.versions.record(version('svc', '#!/bin/sh\necho one\n'));
    await app.ctx.runtime.store.versions.record(version('svc', '#!/bin/sh\necho two\n'));

    await app.value('projects:duplicate', { name: 'svc', newName: 'svc-copy' });
    expect(await app.value('versions:count', 'svc-copy')).toEqual({ count: 0 });

    const renamed = await app.value('projects:rename', { from: 'svc', to: 'svc2' });
    expect(renamed.project.name).toBe('svc2');
    const history = await app.value('versions:list', { project: 'svc2' });
    expect(history.map((v) => v.version)).toEqual([2, 1]);
    expect(history[0]).not.toHaveProperty('initScript');
    expect((await app.value('versions:get', { project: 'svc2', version: 1 })).initScript).toContain('one');
    expect(await app.call('versions:get', { project: 'svc2', version: 9 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    await app.value('projects:delete', { name: 'svc2' });
    expect(await app.value('versions:count', 'svc2')).toEqual({ count: 2 });
    await app.value('projects:create', { project: sampleProject('gone') });
    await app.ctx.runtime.store.versions.record(version('gone', '#!/bin/sh\n'));
    await app.value('projects:delete', { name: 'gone', deleteVersions: true });
    expect(await app.value('versions:count', 'gone')).toEqual({ count: 0 });
    expect(await app.call('projects:get', 'gone')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('shows the last bake of each project and refreshes lists when a bake changes', async () => {
    const id = newBakeId(systemClock);
    const record = bakeRecord(id, 'web', {
      region: 'us-east-1',
      trigger: 'app',
      createdAt: systemClock.now(),
    });
    const done = {
      ...record,
      status: 'succeeded' as const,
      imageId: 'ami-0aaaaaaaaaaaaaaaa',
      version: 3,
      endedAt: 5,
    };
    await app.ctx.runtime.store.bakes.appendEvents(id, [
      { type: 'created', bakeId: id, seq: 0, at: record.createdAt, record },
      { type: 'finished', bakeId: id, seq: 1, at: 5, record: done },
    ]);
    const web = (await app.value('projects:list', undefined)).find((p) => p.name === 'web');
    expect(web?.lastBake).toEqual({
      id,
      status: 'succeeded',
      imageId: 'ami-0aaaaaaaaaaaaaaaa',
      version: 3,
      simulated: true,
      profile: 'sandbox',
      region: 'us-east-1',
      at: 5,
    });
  });
});

describe('drafts handlers', () => {
  it('keep unsaved editor state per project until cleared', async () => {
    expect(await app.value('drafts:get', 'web')).toBeNull();
    const { savedAt } = await app.value('drafts:save', {
      project: 'web',
      baseRevision: 'abc',
      content: { initScript: '#!/bin/sh\necho draft\n', env: [{ name: 'A', value: '1' }] },
    });
    expect(await app.value('drafts:get', 'web')).toEqual({
      project: 'web',
      baseRevision: 'abc',
      content: { initScript: '#!/bin/sh\necho draft\n', env: [{ name: 'A', value: '1' }] },
      savedAt,
    });
    await app.value('drafts:clear', 'web');
    expect(await app.value('drafts:get', 'web')).toBeNull();
  });
});

describe('projects:measure-script', () => {
  const measure = (initScript: string, env: Record<string, string> = {}) =>
    app.value('projects:measure-script', { initScript, env, completion });

  it('counts exactly what the engine builds, wrapper included', async () => {
    const script = '#!/bin/bash\necho hello\n';
    const size = await measure(script, { GREETING: 'hi' });
    const real = buildUserData({
      bakeId: newBakeId(systemClock),
      nonce: randomBytes(16).toString('hex'),
      project: { initScript: script, env: { GREETING: 'hi' }, completion },
    });
    expect(size.rawBytes).toBe(real.rawBytes);
    expect(size.limitBytes).toBe(USER_DATA_LIMIT_BYTES);
    expect(size.gzipBytes).toBeLessThan(size.rawBytes);
    expect(sizeVerdict(size).level).toBe('ok');
  });

  it('agrees byte for byte with what a bake sends, gzipped or not', async () => {
    for (const script of [
      '#!/bin/bash\necho hello\n',
      `#!/bin/bash\n${Array.from({ length: 900 }, (_, i) => `echo "step ${i}: ${(i * 7919) % 1000}"`).join('\n')}\n`,
    ]) {
      const size = await measure(script, { STAGE: 'prod' });
      const sent = buildUserData({
        bakeId: newBakeId(systemClock),
        nonce: randomBytes(16).toString('hex'),
        project: { initScript: script, env: { STAGE: 'prod' }, completion },
      });
      expect(sizeVerdict(size).sentBytes).toBe(sent.bytes);
      expect(Buffer.from(sent.base64, 'base64').length).toBe(sent.bytes);
    }
  });

  it('sees a 20 KB script go over the raw limit but fit gzipped, and random bulk refused even gzipped', async () => {
    const bulky = `#!/bin/bash\n${'echo "installing the same thing again and again"\n'.repeat(420)}`;
    expect(bulky.length).toBeGreaterThan(20_000);
    expect(sizeVerdict(await measure(bulky)).level).toBe('gzip');
    const noise = `#!/bin/bash\n: '${randomBytes(24_000).toString('base64')}'\n`;
    const over = await measure(noise);
    expect(over.gzipBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
    expect(sizeVerdict(over).level).toBe('over');
  });

  it('says why the engine would refuse a script regardless of size', async () => {
    const refused = await measure('#cloud-config\nruncmd: [ls]\n', { A: '1' });
    expect(refused.refused).toContain('cloud-config');
    expect(refused.rawBytes).toBe('#cloud-config\nruncmd: [ls]\n'.length);
  });
});
