import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import {
  checkProjectText,
  exportProjectYaml,
  migrateProject,
  parseProjectText,
} from '../../../src/main/services/store';
import { AppError } from '../../../src/shared/result';

function issuesOf(text: string, source = 'web.yaml') {
  const result = checkProjectText(text, { source });
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

const minimal = `name: web
baseImage:
  kind: id
  imageId: ami-0123456789abcdef0
initScript: |
  #!/bin/sh
  echo hello
`;

describe('parsing project files', () => {
  test('a minimal YAML project gets its defaults', () => {
    const project = parseProjectText(minimal, { source: 'web.yaml' });
    expect(project).toMatchObject({
      name: 'web',
      schemaVersion: 2,
      instanceType: 't3.micro',
      initScript: '#!/bin/sh\necho hello\n',
    });
  });

  test('a missing field is reported as Required, at the line of its parent', () => {
    const text = 'name: web\nbaseImage:\n  kind: id\n  imageId: ami-0123456789abcdef0\n';
    expect(issuesOf(text)).toEqual([{ line: 1, column: 1, path: 'initScript', message: 'Required' }]);
  });

  test('invalid values point at their own line, with the schema’s words', () => {
    const text = `${minimal}instanceType: large\nsecurityGroupIds:\n  - sg-0123abcd\n  - nope\n`;
    const issues = issuesOf(text);
    expect(issues).toEqual([
      { line: 8, column: 1, path: 'instanceType', message: 'An instance type looks like t3.micro.' },
      {
        line: 11,
        column: 5,
        path: 'securityGroupIds[1]',
        message: 'A security group id looks like sg-0123abcd.',
      },
    ]);
  });

  test('a bad or missing discriminator lists the choices', () => {
    const text = 'name: web\nbaseImage:\n  kind: url\ninitScript: x\n';
    expect(issuesOf(text)).toEqual([
      { line: 3, column: 3, path: 'baseImage.kind', message: 'Must be one of id, latest, ssm' },
    ]);
    expect(issuesOf('name: web\nbaseImage:\n  imageId: ami-0123456789abcdef0\ninitScript: x\n')).toEqual([
      { line: 2, column: 1, path: 'baseImage.kind', message: 'Required (one of id, latest, ssm)' },
    ]);
  });

  test('an unknown field is an error with a hint, not silently dropped', () => {
    const issues = issuesOf(`${minimal}instancetype: t3.large\n`);
    expect(issues).toEqual([
      { line: 8, column: 1, path: 'instancetype', message: 'Unknown field (did you mean instanceType?)' },
    ]);
  });

  test('YAML syntax errors carry line numbers, and the thrown message is one readable line', () => {
    const text = 'name: web\nbaseImage: [\ninitScript: x\n';
    const issues = issuesOf(text);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(() => parseProjectText(text, { source: 'web.yaml' })).toThrow(/^web\.yaml:\d+:\d+: /);
    try {
      parseProjectText('name: web\nbaseImage:\n  kind: id\n bad: 1\n', { source: 'web.yaml' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('INVALID_INPUT');
      expect((error as AppError).message).not.toContain('\n');
      expect((error as AppError).message).toBe(
        'web.yaml:4:1: All mapping items must start at the same column',
      );
      expect((error as AppError).details?.line).toBe('4');
    }
  });

  test('duplicate keys are refused', () => {
    expect(issuesOf(`${minimal}name: other\n`)[0]?.message).toMatch(/unique/i);
  });

  test('JSON is accepted by extension or content, with line-accurate errors', () => {
    const json = JSON.stringify(
      { name: 'web', baseImage: { kind: 'ssm', parameter: '/a/b' }, initScript: 'echo' },
      null,
      2,
    );
    expect(parseProjectText(json).baseImage).toEqual({ kind: 'ssm', parameter: '/a/b' });
    expect(parseProjectText(json, { source: 'p.json' }).name).toBe('web');
    const bad = '{\n  "name": "web",\n  "initScript": 5\n}';
    expect(issuesOf(bad, 'p.json')).toEqual(
      expect.arrayContaining([
        { line: 3, column: 3, path: 'initScript', message: 'expected string, received number' },
        { line: 1, column: 1, path: 'baseImage', message: 'Required' },
      ]),
    );
    const syntax = issuesOf('{\n  "name": "web",\n}', 'p.json');
    expect(syntax[0]).toMatchObject({ line: 3, path: '' });
    expect(syntax[0]?.message).toMatch(/^JSON syntax: /);
  });

  test('empty files and non-mappings are explained', () => {
    expect(issuesOf('')[0]?.message).toBe('The file is empty.');
    expect(issuesOf('- a\n- b\n')[0]?.message).toMatch(/mapping of fields/);
  });
});

describe('schema versions', () => {
  test('a newer schemaVersion is a clear error flagged as newer', () => {
    const result = checkProjectText(`schemaVersion: 3\n${minimal}`);
    expect(result).toMatchObject({ ok: false, newer: true });
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/newer Quadraxis/);
    expect(result.ok ? 0 : result.issues[0]?.line).toBe(1);
  });

  test('an impossible schemaVersion is invalid, not newer', () => {
    expect(checkProjectText(`schemaVersion: 0\n${minimal}`)).toMatchObject({ ok: false, newer: false });
    expect(migrateProject({ schemaVersion: 'one' })).toMatchObject({ ok: false, newer: false });
  });

  test('the current version passes through migrateProject unchanged', () => {
    expect(migrateProject({ schemaVersion: 2, name: 'web' })).toEqual({
      ok: true,
      value: { schemaVersion: 2, name: 'web' },
    });
  });

  test('a version 1 file loads as version 2, keeping every field it had', () => {
    const v1 = { schemaVersion: 1, name: 'web', instanceType: 't3.small', env: { A: 'b' } };
    expect(migrateProject(v1)).toEqual({ ok: true, value: { ...v1, schemaVersion: 2 } });
    const project = parseProjectText(`schemaVersion: 1\n${minimal}`, { source: 'web.yaml' });
    expect(project.schemaVersion).toBe(2);
  });
});

describe('export', () => {
  test('round-trips: parse(export(p)) equals p and exporting again gives the same text', () => {
    const project = parseProjectText(
      `${minimal}description: "multi\\nline: with: colons"\nenv:\n  A: "  spaced  "\n  B: "yes"\ntags:\n  team: web\n`,
    );
    const text = exportProjectYaml(project);
    expect(text.startsWith('# Quadraxis project')).toBe(true);
    const again = parseProjectText(text);
    expect(again).toEqual(project);
    expect(exportProjectYaml(again)).toBe(text);
  });

  test('scripts with awkward whitespace survive the round trip exactly', () => {
    const initScript = '  indented first line\n\ttabbed\ntrailing spaces   \n\n\nno final newline';
    const project = parseProjectText(minimal);
    const text = exportProjectYaml({ ...project, initScript });
    expect(parseProjectText(text).initScript).toBe(initScript);
  });
});

describe('examples/', () => {
  test.each([
    ['nginx-al2023.yaml', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'],
    [
      'docker-ubuntu.yaml',
      '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    ],
    ['hello-cloud-config.yaml', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'],
  ])('%s parses with the importer', async (file, parameter) => {
    const text = await readFile(new URL(`../../../examples/${file}`, import.meta.url), 'utf8');
    const project = parseProjectText(text, { source: file });
    expect(project.name).toBe(file.replace(/\.yaml$/, ''));
    expect(project.baseImage).toEqual({ kind: 'ssm', parameter });
    expect(project.initScript).toMatch(/sleep 2/);
    if (file.startsWith('hello')) expect(project.initScript.startsWith('#cloud-config\n')).toBe(true);
  });
});
