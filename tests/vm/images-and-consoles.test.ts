import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { localAptRepo } from './apt-repo';
import {
  bake,
  dropImage,
  expectFilesFreed,
  expectFreshImage,
  failureText,
  nonceOf,
  probeScript,
  relaunch,
  token,
  type VmWorld,
  vmWorld,
} from './helpers';

/**
 * Two Sandboxes side by side (one VM each, two at once on the machine): one whose image's last `console=`
 * is tty0 (as RHEL-family AMIs ship), one whose guests may reach a local apt repository — and nothing else —
 * through the mirror proxy.
 */
let tty0: VmWorld;
let apt: VmWorld;
let repo: Awaited<ReturnType<typeof localAptRepo>>;
let repoDir: string;

beforeAll(async () => {
  repoDir = await mkdtemp(join(tmpdir(), 'qx-apt-repo-'));
  repo = await localAptRepo(repoDir);
  [tty0, apt] = await Promise.all([
    vmWorld('vm-tty0', {
      maxVms: 1,
      kernelArgs: 'root=/dev/vda rw console=ttyS0,115200n8 console=tty0',
    }),
    vmWorld('vm-cloud-config', { maxVms: 1, mirror: { 'apt.quadraxis.test': repo.origin } }),
  ]);
});
afterAll(async () => {
  await Promise.all([tty0?.close(), apt?.close()]);
  await repo?.close();
  if (repoDir) await rm(repoDir, { recursive: true, force: true });
});

describe.concurrent('a real bake', () => {
  test('on an image whose last console is tty0 still reports completion', async ({ expect }) => {
    const record = await bake(tty0, {
      name: 'vm-tty0',
      initScript:
        '#!/bin/sh\nset -e\necho "console check" > /etc/qx-console-check\necho "tty0 script finished"\n',
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const report = await relaunch(
      tty0,
      record.imageId!,
      probeScript({
        builder: record.instanceId!,
        files: ['/etc/qx-console-check', '/proc/cmdline'],
        tokens: [nonceOf(tty0, record.instanceId!)],
      }),
    );
    expect(report.file('/proc/cmdline')).toMatch(/console=ttyS0,115200n8 console=tty0\n$/);
    expect(report.file('/etc/qx-console-check')).toBe('console check\n');
    expectFreshImage(report, record.instanceId!);
    await dropImage(tty0, record);
    expectFilesFreed(tty0, record);
  });

  test('of a #cloud-config with packages, write_files and runcmd', async ({ expect }) => {
    const configToken = token('cloud-config');
    const record = await bake(apt, {
      name: 'vm-cloud-config',
      initScript: [
        '#cloud-config',
        `# ${configToken}`,
        // Debian's cloud.cfg keeps the image's sources.list unless the user data says otherwise.
        'apt:',
        '  preserve_sources_list: false',
        '  sources_list: |',
        '    deb [trusted=yes] http://apt.quadraxis.test/ ./',
        'package_update: true',
        'packages: [qx-hello]',
        'write_files:',
        '  - path: /etc/qx/app.yaml',
        "    permissions: '0640'",
        '    content: |',
        '      listen: 8080',
        '  - path: /opt/qx/readme.txt',
        '    content: hello from write_files',
        'runcmd:',
        '  - [sh, -c, "echo runcmd ran > /opt/qx/runcmd.txt"]',
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const report = await relaunch(
      apt,
      record.imageId!,
      probeScript({
        builder: record.instanceId!,
        stat: ['/etc/qx/app.yaml', '/opt/qx', '/opt/qx/readme.txt', '/opt/qx/runcmd.txt'],
        files: [
          '/etc/qx/app.yaml',
          '/opt/qx/readme.txt',
          '/opt/qx/runcmd.txt',
          '/usr/share/qx-hello/hello.txt',
        ],
        tokens: [nonceOf(apt, record.instanceId!), configToken],
        extra: [
          'say package "$(dpkg-query -W -f=\'${Package} ${Version} ${Status}\' qx-hello)"',
          // Through the proxy, only the allowed name answers; straight out, nothing does.
          'say proxy-other "$(curl -s -m 10 -o /dev/null -w %{http_code} -x http://169.254.169.251:3142 http://deb.debian.org/debian/)"',
          `say direct "$(curl -s -m 10 -o /dev/null -w %{http_code} http://169.254.169.2:${new URL(repo.origin).port}/Release)"`,
        ],
      }),
    );
    expect(report.value('package')).toBe('qx-hello 1.0 install ok installed');
    expect(report.file('/usr/share/qx-hello/hello.txt')).toBe('hello from a local apt repository\n');
    expect(report.stat('/etc/qx/app.yaml')).toBe('/etc/qx/app.yaml 640 root:root');
    expect(report.file('/etc/qx/app.yaml')).toBe('listen: 8080\n');
    expect(report.stat('/opt/qx/readme.txt')).toBe('/opt/qx/readme.txt 644 root:root');
    expect(report.file('/opt/qx/readme.txt')).toBe('hello from write_files');
    expect(report.file('/opt/qx/runcmd.txt')).toBe('runcmd ran\n');
    expect(report.value('proxy-other')).toBe('403');
    expect(report.value('direct')).toBe('000');
    expectFreshImage(report, record.instanceId!);
    await dropImage(apt, record);
    expectFilesFreed(apt, record);
  });
});
