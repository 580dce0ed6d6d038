import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, ROOT, requireBuild } from '../helpers/paths';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the quadraxis CLI (plain Node, built bundle)', () => {
  beforeAll(requireBuild);

  it('prints its version', async () => {
    const { code, stdout } = await cli('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('prints help that names the tool', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: quadraxis/m);
    expect(stdout).toContain('--data-dir');
  });

  it('exits 2 with a hint on an unknown command', async () => {
    const { code, stderr } = await cli('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command/i);
  });

  it('does not load electron', () => {
    const source = readFileSync(join(ROOT, 'out', 'main', 'cli.js'), 'utf8');
    expect(source).not.toMatch(/require\(["']electron["']\)/);
  });
});
