import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseProjectText } from '../../../src/main/services/store';
import { runCliOn } from '../../helpers/run-cli';
import { created, events, tempStore } from './helpers';
import type { TestStore } from './helpers';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
let t: TestStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

const cli = (...args: string[]) => runCliOn(t.dir, args);

describe('quadraxis projects', () => {
  test('import, list and export the examples', async () => {
    expect((await cli('projects')).stdout).toMatch(/^No projects yet/);
    for (const file of ['nginx-al2023.yaml', 'docker-ubuntu.yaml', 'hello-cloud-config.yaml']) {
      const r = await cli('projects', 'import', example(file));
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toBe(`Imported project ${file.replace('.yaml', '')} (projects/${file}).\n`);
    }
    const id = 'bk_0000000001aaaaaaaaaa';
    await t.store.bakes.appendEvents(id, [
      created(id, 'docker-ubuntu'),
      ...events(
        id,
        1,
        { type: 'resource', kind: 'image', id: 'ami-0aaaaaaaaaaaaaaaa' },
        { type: 'status', status: 'succeeded' },
      ),
    ]);

    const list = await cli('projects');
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^NAME\s+REGION\s+BASE IMAGE\s+LAST BAKE\s+AMI$/);
    // Aligned: every row starts its second column where the header's does.
    const column = lines[0]!.indexOf('REGION');
    for (const line of lines.slice(1)) expect(line[column - 1]).toBe(' ');
    expect(lines[1]).toMatch(
      /^docker-ubuntu\s+\(profile default\)\s+ssm:\/aws\/service\/canonical\/.+\s+succeeded 2026-01-01 12:00\s+ami-0aaaaaaaaaaaaaaaa \(sandbox\)$/,
    );
    expect(lines[3]).toMatch(/^nginx-al2023 .* -\s+-$/);

    const json = JSON.parse((await cli('projects', '--json')).stdout);
    expect(json.map((p: { name: string }) => p.name)).toEqual([
      'docker-ubuntu',
      'hello-cloud-config',
      'nginx-al2023',
    ]);
    expect(json[0].lastBake).toMatchObject({ id, status: 'succeeded', imageId: 'ami-0aaaaaaaaaaaaaaaa' });
    expect(json[1].lastBake).toBeNull();

    const exported = await cli('projects', 'export', 'docker-ubuntu');
    expect(exported.code).toBe(0);
    const original = parseProjectText(await readFile(example('docker-ubuntu.yaml'), 'utf8'));
    expect(parseProjectText(exported.stdout)).toEqual(original);

    const out = join(t.dir, 'out.yaml');
    expect((await cli('projects', 'export', 'docker-ubuntu', '--out', out)).stdout).toBe(
      `Exported project docker-ubuntu to ${out}.\n`,
    );
    expect(await readFile(out, 'utf8')).toBe(exported.stdout);
  });

  test('importing an existing name needs --force', async () => {
    await cli('projects', 'import', example('nginx-al2023.yaml'));
    const again = await cli('projects', 'import', example('nginx-al2023.yaml'));
    expect(again).toMatchObject({
      code: 1,
      stderr: 'error: A project named "nginx-al2023" already exists; use --force to replace it.\n',
    });
    const changed = join(t.dir, 'nginx.yaml');
    await writeFile(
      changed,
      (await readFile(example('nginx-al2023.yaml'), 'utf8')).replace('t3.micro', 't3.large'),
    );
    expect((await cli('projects', 'import', changed, '--force')).stdout).toBe(
      'Replaced project nginx-al2023 (projects/nginx-al2023.yaml).\n',
    );
    expect((await t.store.projects.get('nginx-al2023'))?.project.instanceType).toBe('t3.large');
  });

  test('bad input exits 2 with a one-line reason', async () => {
    const broken = join(t.dir, 'broken.yaml');
    await writeFile(
      broken,
      'name: web\nbaseImage:\n  kind: id\n  imageId: ami-0123456789abcdef0\ninstanceType: huge\n',
    );
    const r = await cli('projects', 'import', broken);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: broken.yaml:1:1: initScript: Required; broken.yaml:5:1: instanceType: An instance type looks like t3.micro.\n',
    );
    expect(await cli('projects', 'import', join(t.dir, 'missing.yaml'))).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: No such file: /),
    });
    expect(await cli('projects', 'export', 'nope')).toMatchObject({
      code: 2,
      stderr: 'error: No project named "nope".\n',
    });
  });
});

describe('quadraxis bakes', () => {
  const ids = ['bk_0000000001aaaaaaaaaa', 'bk_0000000002aaaaaaaaaa', 'bk_0000000003aaaaaaaaaa'];

  beforeEach(async () => {
    for (const [i, id] of ids.entries()) {
      await t.store.bakes.appendEvents(id, [
        created(id, i === 1 ? 'api' : 'web'),
        ...events(
          id,
          1,
          { type: 'status', status: 'running' },
          { type: 'status', status: i === 2 ? 'failed' : 'succeeded' },
        ),
      ]);
    }
  });

  test('lists newest first as a table, filtered and limited', async () => {
    const all = await cli('bakes');
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROJECT\s+STATUS\s+STARTED\s+DURATION\s+VERSION\s+AMI$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...ids].reverse());
    expect(lines[1]).toMatch(/^bk_0000000003aaaaaaaaaa\s+web\s+failed\s+2026-01-01 12:00\s+1s\s+-\s+-$/);

    const web = await cli('bakes', '--project', 'web', '--limit', '1');
    expect(
      web.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual([ids[2]]);
    const page = JSON.parse((await cli('bakes', '--before', ids[2]!, '--json')).stdout);
    expect(page.map((b: { id: string }) => b.id)).toEqual([ids[1], ids[0]]);
    expect((await cli('bakes', '--project', 'nobody')).stdout).toBe('No bakes of nobody yet.\n');
  });

  test('bad options exit 2 with a one-line reason', async () => {
    expect(await cli('bakes', '--limit', '0')).toMatchObject({
      code: 2,
      stderr: 'error: --limit must be a whole number from 1 to 1000, not "0".\n',
    });
    expect(await cli('bakes', '--project', '../x')).toMatchObject({ code: 2 });
    expect(await cli('bakes', '--before', 'yesterday')).toMatchObject({ code: 2 });
  });
});
