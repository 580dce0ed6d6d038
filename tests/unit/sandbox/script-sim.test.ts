import { describe, expect, it } from 'vitest';
import { cloudConfigSteps, schedule, shellSteps } from '../../../src/sandbox/boot/script-sim';

const run = (script: string, env: Record<string, string> = {}, workMs = 10_000) =>
  schedule(shellSteps(script, env, 'al2023'), workMs);

describe('shell script simulation', () => {
  it('prints echoes with quoting and variables, sleeps, and exits', () => {
    const result = run(
      [
        '#!/bin/bash',
        'set -euo pipefail',
        '# a comment',
        'NAME="my app"',
        'export STAGE=prod',
        `echo "deploying $NAME to \${STAGE}" # trailing comment`,
        "echo 'single $NAME'",
        'echo -n plain words; sleep 1.5m',
        'echo after >&2',
        'echo to-file > /tmp/x',
        'exit 4',
        'echo unreachable',
      ].join('\n'),
    );
    expect(result.lines.map((l) => l.text)).toEqual([
      'deploying my app to prod',
      'single $NAME',
      'plain words',
      'after',
    ]);
    expect(result.lines.map((l) => l.offsetMs)).toEqual([0, 0, 0, 90_000]);
    expect(result).toMatchObject({ durationMs: 90_000, exitCode: 4 });
  });

  it('ends where the script powers the machine off itself; a reboot is not that', () => {
    for (const command of ['poweroff', 'sudo shutdown -h now', 'halt', 'systemctl poweroff', 'init 0']) {
      const result = run(`echo before\nsleep 20\n${command}\necho never\n`);
      expect(result).toMatchObject({ durationMs: 20_000, poweroffAtMs: 20_000 });
      expect(result.lines.map((l) => l.text)).toEqual(['before']);
    }
    expect(run('echo a\nshutdown -r now\necho b\n').poweroffAtMs).toBeUndefined();
  });

  it('treats commands and whole blocks as work sharing the default duration', () => {
    const result = run(
      [
        'dnf install -y nginx git',
        'if [ -f /etc/os-release ]; then',
        '  echo inside-if',
        'fi',
        'for i in 1 2; do echo loop; done',
        'cat > /etc/motd <<EOF',
        'echo not-a-command',
        'EOF',
        'systemctl enable --now nginx',
      ].join('\n'),
    );
    const texts = result.lines.map((l) => l.text);
    expect(texts).toContain('  Installing       : nginx');
    expect(texts).toContain('Complete!');
    expect(texts.some((t) => t.startsWith('Created symlink') && t.includes('nginx.service'))).toBe(true);
    expect(texts).not.toContain('inside-if');
    expect(texts).not.toContain('loop');
    expect(texts).not.toContain('not-a-command');
    expect(result).toMatchObject({ durationMs: 10_000, exitCode: 0 });
  });

  it('takes no time for a script of echoes only', () => {
    expect(run('echo a\necho b\n')).toMatchObject({ durationMs: 0, exitCode: 0 });
  });

  it('reads a cloud-config: package updates, packages, runcmd strings and lists', () => {
    const steps = cloudConfigSteps(
      '#cloud-config\npackage_update: true\npackages: [nginx, [jq, "1.6"]]\nruncmd:\n  - echo one\n  - [sh, -c, "echo two"]\n  - [sleep, "5"]\n',
      {},
      'debian',
    );
    const result = schedule(steps, 4_000);
    const texts = result.lines.map((l) => l.text);
    expect(texts).toEqual(expect.arrayContaining(['Setting up nginx ...', 'Setting up jq ...', 'one']));
    expect(texts.some((t) => t.includes('deb.debian.org'))).toBe(true);
    expect(result.durationMs).toBe(4_000 + 5_000);
  });

  it('survives a cloud-config that is not YAML', () => {
    const steps = cloudConfigSteps('#cloud-config\n: [unclosed', {}, 'ubuntu');
    expect(schedule(steps, 1_000).lines[0]?.text).toContain('failed to parse');
  });
});
