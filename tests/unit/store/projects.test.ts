import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AppError } from '../../../src/shared/result';
import { created, projectInput, tempStore } from './helpers';
import type { TestStore } from './helpers';

let t: TestStore;
beforeEach(async () => {
  t = await tempStore({ actor: 'Quadraxis app' });
});
afterEach(() => t.cleanup());

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

function version(project: string, bakeId: string) {
  return {
    project,
    bakeId,
    createdAt: 1,
    profile: 'sandbox',
    region: 'eu-west-1',
    simulated: true,
    imageId: 'ami-0123456789abcdef0',
    imageName: 'x',
    snapshotIds: [],
    baseImageId: 'ami-0123456789abcdef0',
    instanceType: 't3.micro',
    initScript: 'echo',
    scriptSha256: 'a',
    env: {},
    stepDurationsMs: {},
    apiCalls: 0,
    durationMs: 0,
    appVersion: 'test',
    tags: {},
  };
}

describe('projects as files', () => {
  test('create, get and list round-trip through projects/<name>.yaml', async () => {
    const entry = await t.store.projects.create(projectInput('web', { tags: { team: 'a' } }));
    expect(entry.file).toBe('projects/web.yaml');
    const text = await readFile(join(t.dir, 'projects', 'web.yaml'), 'utf8');
    expect(text).toMatch(/^# Quadraxis project/);
    expect(text).toContain('name: web');
    await t.store.projects.create(projectInput('api'));
    const listed = await t.store.projects.list();
    expect(listed.map((e) => e.project.name)).toEqual(['api', 'web']);
    expect(await t.store.projects.get('web')).toEqual(entry);
    expect(await t.store.projects.get('nope')).toBeUndefined();
  });

  test('creating an existing name, in any case, is a CONFLICT', async () => {
    await t.store.projects.create(projectInput('web'));
    expect((await rejection(t.store.projects.create(projectInput('web')))).code).toBe('CONFLICT');
    expect((await rejection(t.store.projects.create(projectInput('WEB')))).message).toMatch(
      /"web" already exists/,
    );
  });

  test('invalid projects and names are INVALID_INPUT', async () => {
    expect(
      (await rejection(t.store.projects.create(projectInput('web', { instanceType: 'big' })))).code,
    ).toBe('INVALID_INPUT');
    expect((await rejection(t.store.projects.get('../etc'))).code).toBe('INVALID_INPUT');
  });
});

describe('optimistic concurrency', () => {
  test('saving over a stale revision fails and names the other writer', async () => {
    const mine = await t.store.projects.create(projectInput('web'));
    const cli = t.reopen({ actor: 'quadraxis CLI' });
    const theirs = await cli.projects.get('web');
    await cli.projects.save(projectInput('web', { description: 'from the CLI' }), {
      revision: theirs!.revision,
    });

    const error = await rejection(
      t.store.projects.save(projectInput('web', { description: 'from the app' }), {
        revision: mine.revision,
      }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(new RegExp(`changed by quadraxis CLI \\(pid ${process.pid} on .+\\)`));
    expect((await t.store.projects.get('web'))?.project.description).toBe('from the CLI');

    const fresh = await t.store.projects.get('web');
    const saved = await t.store.projects.save(projectInput('web', { description: 'merged' }), {
      revision: fresh!.revision,
    });
    expect(saved.revision).not.toBe(fresh!.revision);
  });

  test('a hand edit of the file is a new revision too', async () => {
    const entry = await t.store.projects.create(projectInput('web'));
    const file = join(t.dir, 'projects', 'web.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}description: by hand\n`);
    const error = await rejection(t.store.projects.save(projectInput('web'), { revision: entry.revision }));
    expect(error.message).toMatch(/edited directly/);
  });

  test('saving a project another process deleted says so', async () => {
    const entry = await t.store.projects.create(projectInput('web'));
    await t.reopen({ actor: 'quadraxis CLI' }).projects.delete('web');
    const error = await rejection(t.store.projects.save(projectInput('web'), { revision: entry.revision }));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/deleted by quadraxis CLI/);
    expect((await rejection(t.store.projects.save(projectInput('never'), { revision: 'x' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  test('concurrent saves from one base revision: exactly one wins', async () => {
    const base = await t.store.projects.create(projectInput('web'));
    const other = t.reopen({ actor: 'webhook' });
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((d, i) =>
        (i % 2 ? other : t.store).projects.save(projectInput('web', { description: d }), {
          revision: base.revision,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r.reason as AppError).code)).toEqual([
      'CONFLICT',
      'CONFLICT',
    ]);
  });
});

describe('rename and delete', () => {
  test('rename moves the file, its versions, its bake index and its draft', async () => {
    await t.store.projects.create(projectInput('web'));
    await t.store.versions.record(version('web', 'bk_00000000000000000001'));
    await t.store.bakes.appendEvents('bk_00000000000000000002', [created('bk_00000000000000000002', 'web')]);
    await t.store.drafts.save('web', { content: { description: 'wip' } });

    const entry = await t.store.projects.rename('web', 'site');
    expect(entry.project.name).toBe('site');
    expect(await t.store.projects.get('web')).toBeUndefined();
    expect((await t.store.projects.get('site'))?.revision).toBe(entry.revision);
    expect((await t.store.versions.list('site')).map((v) => v.version)).toEqual([1]);
    expect((await t.store.bakes.list({ project: 'site' })).map((b) => b.id)).toEqual([
      'bk_00000000000000000002',
    ]);
    expect((await t.store.drafts.read('site'))?.content).toEqual({ description: 'wip' });
    expect(await t.store.drafts.read('web')).toBeUndefined();

    const stale = await rejection(t.store.projects.save(projectInput('web'), { revision: 'whatever' }));
    expect(stale.message).toMatch(/renamed to "site"/);
  });

  test('rename refuses a taken name and a name whose old versions are kept', async () => {
    await t.store.projects.create(projectInput('web'));
    await t.store.projects.create(projectInput('api'));
    expect((await rejection(t.store.projects.rename('web', 'API'))).code).toBe('CONFLICT');
    await t.store.versions.record(version('old', 'bk_00000000000000000001'));
    expect((await rejection(t.store.projects.rename('web', 'old'))).message).toMatch(
      /Versions of an earlier project/,
    );
    expect(await t.store.projects.get('web')).toBeDefined();
  });

  test('a case-only rename keeps exactly one file', async () => {
    await t.store.projects.create(projectInput('web'));
    await t.store.projects.rename('web', 'Web');
    expect(await readdir(join(t.dir, 'projects'))).toEqual(expect.arrayContaining(['Web.yaml']));
    expect((await readdir(join(t.dir, 'projects'))).filter((f) => f.endsWith('.yaml'))).toEqual(['Web.yaml']);
    expect((await t.store.projects.list()).map((e) => e.project.name)).toEqual(['Web']);
  });

  test('delete keeps versions unless asked, and checks the revision when given', async () => {
    const entry = await t.store.projects.create(projectInput('web'));
    await t.store.versions.record(version('web', 'bk_00000000000000000001'));
    expect((await rejection(t.store.projects.delete('web', { revision: 'stale' }))).code).toBe('CONFLICT');
    await t.store.projects.delete('web', { revision: entry.revision });
    expect(await t.store.projects.get('web')).toBeUndefined();
    expect(await t.store.versions.list('web')).toHaveLength(1);

    await t.store.projects.create(projectInput('web'));
    await t.store.projects.delete('web', { deleteVersions: true });
    expect(await t.store.versions.list('web')).toEqual([]);
    expect((await rejection(t.store.projects.delete('web'))).code).toBe('NOT_FOUND');
  });
});

describe('unreadable project files', () => {
  test('a broken file is quarantined with a clear notice and listing goes on', async () => {
    await t.store.projects.create(projectInput('good'));
    await writeFile(join(t.dir, 'projects', 'syntax.yaml'), 'name: syntax\nbaseImage: [\n');
    await writeFile(
      join(t.dir, 'projects', 'schema.yaml'),
      'name: schema\nbaseImage:\n  kind: id\n  imageId: ami-0123456789abcdef0\n',
    );

    const listed = await t.store.projects.list();
    expect(listed.map((e) => e.project.name)).toEqual(['good']);
    const messages = t.store.notices.list().map((n) => n.message);
    expect(messages).toHaveLength(2);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^projects\/schema\.yaml was unreadable and was moved to quarantine\/\d{8}-\d{6}-\d{3}-[0-9a-f]{4}-projects__schema\.yaml: projects\/schema\.yaml:1:1: initScript: Required$/,
        ),
        expect.stringMatching(
          /^projects\/syntax\.yaml was unreadable and was moved to quarantine\/.*projects__syntax\.yaml: projects\/syntax\.yaml:\d+:\d+: /,
        ),
      ]),
    );
    const quarantined = await readdir(join(t.dir, 'quarantine'));
    expect(quarantined.filter((f) => f.endsWith('.yaml'))).toHaveLength(2);
    expect(quarantined.filter((f) => f.endsWith('.reason.txt'))).toHaveLength(2);
    expect(await readdir(join(t.dir, 'projects'))).not.toContain('syntax.yaml');
  });

  test('a file from a newer Quadraxis is skipped and left in place', async () => {
    const file = join(t.dir, 'projects', 'future.yaml');
    await t.store.projects.create(projectInput('good'));
    await writeFile(file, 'schemaVersion: 9\nname: future\n');
    expect((await t.store.projects.list()).map((e) => e.project.name)).toEqual(['good']);
    await t.store.projects.list();
    expect(t.store.notices.list()).toHaveLength(1);
    expect(t.store.notices.list()[0]?.message).toMatch(
      /^projects\/future\.yaml was skipped: .*newer Quadraxis/,
    );
    expect(await readFile(file, 'utf8')).toContain('schemaVersion: 9');
  });

  test('a file whose name field disagrees with its file name is skipped, not moved', async () => {
    await t.store.projects.create(projectInput('b'));
    const text = await readFile(join(t.dir, 'projects', 'b.yaml'), 'utf8');
    await writeFile(join(t.dir, 'projects', 'a.yaml'), text);
    expect((await t.store.projects.list()).map((e) => e.project.name)).toEqual(['b']);
    expect(t.store.notices.list()[0]?.message).toMatch(/a\.yaml was skipped: the file names the project "b"/);
  });
});
