import {
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  bake,
  dropImage,
  expectFilesFreed,
  expectFreshImage,
  expectNothingLeftOf,
  failureText,
  nonceOf,
  probeScript,
  relaunch,
  token,
  waitForState,
  type VmWorld,
  vmWorld,
} from './helpers';

/**
 * Real bakes on real VMs: engine → SDK → Sandbox → QEMU (Debian 12, cloud-init, the wrapper) → image →
 * the image launched again, whose own user data reports what the script left. Two bakes run at once (the
 * Sandbox's VM cap). Each relaunch also checks what every baked image must show: cloud-init ran afresh
 * (the new instance's id, only its directory), the builder's user data did not run again, and nothing of
 * the builder's user data, environment or wrapper is left under /var/lib/cloud, /var/lib/quadraxis or
 * /var/log.
 */
let world: VmWorld;
beforeAll(async () => {
  world = await vmWorld('vm-script-bakes');
});
afterAll(async () => {
  await world?.close();
});

describe.concurrent('on real VMs', () => {
  test('a real bake of a bash script: its files keep the modes the image would give them', async ({
    expect,
  }) => {
    const scriptToken = token('script');
    const envToken = token('env');
    const record = await bake(world, {
      name: 'vm-bash',
      env: { STAGE: envToken },
      initScript: [
        '#!/bin/bash',
        'set -eu',
        `# ${scriptToken}`,
        'mkdir -p /opt/app/conf.d',
        'echo "listen=8080" > /opt/app/app.conf',
        'printf "%s" "$STAGE" > /opt/app/conf.d/stage',
        'echo ran >> /opt/app/runs',
        'umask > /opt/app/umask',
        'echo "bash init script finished"',
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const builder = record.instanceId!;
    // The wrapper reached the builder through instance metadata, with an IMDSv2 session token.
    expect(world.sandbox.sim.metadataRequests(builder)).toContainEqual({
      method: 'GET',
      path: '/2021-03-23/user-data',
      status: 200,
      token: true,
    });
    const report = await relaunch(
      world,
      record.imageId!,
      probeScript({
        builder,
        stat: ['/opt/app', '/opt/app/conf.d', '/opt/app/app.conf', '/opt/app/conf.d/stage'],
        files: ['/opt/app/runs', '/opt/app/umask', '/opt/app/conf.d/stage'],
        tokens: [nonceOf(world, builder), scriptToken, envToken],
      }),
    );
    expect(report.stat('/opt/app')).toBe('/opt/app 755 root:root');
    expect(report.stat('/opt/app/conf.d')).toBe('/opt/app/conf.d 755 root:root');
    expect(report.stat('/opt/app/app.conf')).toBe('/opt/app/app.conf 644 root:root');
    expect(report.stat('/opt/app/conf.d/stage')).toBe('/opt/app/conf.d/stage 644 root:root');
    expect(report.file('/opt/app/umask')).toBe('0022\n');
    expect(report.file('/opt/app/conf.d/stage')).toBe(envToken);
    expectFreshImage(report, builder);
    await dropImage(world, record);
    expectFilesFreed(world, record);
  });

  test('a real bake of a python3 script: environment values arrive byte for byte', async ({ expect }) => {
    const scriptToken = token('script');
    const env = {
      QUOTED: `it's "quoted" and \`backticked\``,
      DOLLAR: '$HOME ${PATH} $(id -u) `id` $$ \\$ \\n',
      MULTILINE: 'first line\nsecond line\n\n  indented after a blank\n',
      SECRETISH: token('env'),
    };
    const record = await bake(world, {
      name: 'vm-python',
      env,
      initScript: [
        '#!/usr/bin/env python3',
        `# ${scriptToken}`,
        'import os, pathlib, sys',
        "out = pathlib.Path('/opt/py')",
        'out.mkdir(parents=True, exist_ok=True)',
        `for name in ${JSON.stringify(Object.keys(env))}:`,
        '    (out / name).write_text(os.environ[name])',
        "(out / 'python').write_text(sys.version.split()[0])",
        "print('python init script finished')",
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    const builder = record.instanceId!;
    const report = await relaunch(
      world,
      record.imageId!,
      probeScript({
        builder,
        stat: ['/opt/py', '/opt/py/QUOTED', '/opt/py/python'],
        files: Object.keys(env).map((name) => `/opt/py/${name}`),
        tokens: [nonceOf(world, builder), scriptToken, env.SECRETISH],
      }),
    );
    for (const [name, value] of Object.entries(env)) expect(report.file(`/opt/py/${name}`), name).toBe(value);
    expect(report.stat('/opt/py')).toBe('/opt/py 755 root:root');
    expect(report.stat('/opt/py/QUOTED')).toBe('/opt/py/QUOTED 644 root:root');
    expectFreshImage(report, builder);
    await dropImage(world, record);
    expectFilesFreed(world, record);
  });

  test('a real bake of a script that calls pagers (systemctl status, git log) does not hang', async ({
    expect,
  }) => {
    const record = await bake(world, {
      name: 'vm-pager',
      // Each pager call is bounded: one waiting for a key fails the script with exit 124 in two minutes
      // instead of holding the builder until the bake's timeout.
      initScript: [
        '#!/bin/bash',
        'set -eu',
        'timeout 120 systemctl status systemd-journald.service',
        'git config --global user.email qx@example.com',
        'git config --global user.name Quadraxis',
        'mkdir -p /opt/repo && cd /opt/repo',
        'git init -q && echo hello > a && git add a && git commit -qm "pager check commit"',
        'timeout 120 git log',
        'touch /opt/pager-done',
        '',
      ].join('\n'),
    });
    expect(record.status, failureText(record)).toBe('succeeded');
    // What the pagers were given reached the console the bake streams.
    const console = (await world.runtime.store.bakes.readConsole(record.id)).join('\n');
    expect(console).toContain('pager check commit');
    expect(console).toMatch(/systemd-journald\.service - Journal Service/);
    const report = await relaunch(
      world,
      record.imageId!,
      probeScript({
        builder: record.instanceId!,
        stat: ['/opt/pager-done'],
        tokens: [nonceOf(world, record.instanceId!)],
        extra: ['say log "$(git -C /opt/repo log --format=%s)"'],
      }),
    );
    expect(report.stat('/opt/pager-done')).toBe('/opt/pager-done 644 root:root');
    expect(report.value('log')).toBe('pager check commit');
    expectFreshImage(report, record.instanceId!);
    await dropImage(world, record);
    expectFilesFreed(world, record);
  });

  test('a real bake of a script that exits 3 fails with exit code 3 and leaves nothing', async ({
    expect,
  }) => {
    const record = await bake(world, {
      name: 'vm-exit-3',
      initScript: '#!/bin/bash\necho "about to fail"\nexit 3\n',
    });
    expect(record.status).toBe('failed');
    expect(record.error?.exitCode).toBe(3);
    expect(record.error?.consoleTail?.join('\n')).toContain('about to fail');
    await waitForState(world, record.instanceId!, ['terminated'], 60_000);
    expectNothingLeftOf(world, record);
  });

  test('a real bake of a script that reboots the builder fails and leaves nothing', async ({ expect }) => {
    const record = await bake(
      world,
      { name: 'vm-reboot', initScript: '#!/bin/sh\necho "rebooting now"\nreboot\n' },
      // Long enough for the boot, the reboot and the second boot (which does not run user data again).
      6,
    );
    expect(record.status).toBe('failed');
    const builder = record.instanceId!;
    await waitForState(world, builder, ['terminated'], 60_000);
    // It really rebooted: the kernel restarted the machine and it booted again, on the same console.
    const out = await world.ec2.send(new GetConsoleOutputCommand({ InstanceId: builder, Latest: true }));
    const console = Buffer.from(out.Output ?? '', 'base64').toString('utf8');
    const restart = console.indexOf('reboot: Restarting system');
    expect(restart).toBeGreaterThanOrEqual(0);
    expect(console.indexOf('Linux version', restart)).toBeGreaterThan(restart);
    expectNothingLeftOf(world, record);
  });

  test('a VM instance stops, starts on the same disk, reaches only instance metadata, and terminates without a trace', async ({
    expect,
  }) => {
    const sandboxPort = world.sandbox.port;
    const userData = [
      '#!/bin/sh',
      'say() { printf "QXL %s\\n" "$*" > /dev/ttyS0; }',
      // Reports on every later boot (cloud-init runs per-boot scripts before user data, so not on this one).
      'mkdir -p /var/lib/cloud/scripts/per-boot',
      "cat > /var/lib/cloud/scripts/per-boot/report << 'EOF'",
      '#!/bin/sh',
      'printf "QXL boot %s\\n" "$(cat /opt/marker)" > /dev/ttyS0',
      'EOF',
      'chmod 755 /var/lib/cloud/scripts/per-boot/report',
      'echo persisted > /opt/marker',
      'say user-data ran',
      'say imdsv1 "$(curl -s -m 10 -o /dev/null -w %{http_code} http://169.254.169.254/latest/meta-data/instance-id)"',
      't=$(curl -s -m 10 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)',
      'say imdsv2 "$(curl -s -m 10 -H "X-aws-ec2-metadata-token: $t" http://169.254.169.254/latest/meta-data/instance-id)"',
      `say host "$(curl -s -m 10 -o /dev/null -w %{http_code} http://169.254.169.2:${sandboxPort}/)"`,
      'say outside "$(curl -s -m 10 -o /dev/null -w %{http_code} http://1.1.1.1/)"',
      'say mirror "$(curl -s -m 10 -o /dev/null -w %{http_code} -x http://169.254.169.251:3142 http://deb.debian.org/debian/)"',
      'say checks done',
      '',
    ].join('\n');
    const run = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: baseImageId().imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        UserData: Buffer.from(userData).toString('base64'),
      }),
    );
    const id = run.Instances![0]!.InstanceId!;
    expect(run.Instances![0]!.State?.Name).toBe('pending');
    await waitForConsole(id, /QXL checks done/);
    const first = await consoleOf(id);
    expect(qxl(first, 'imdsv1')).toEqual(['401']);
    expect(qxl(first, 'imdsv2')).toEqual([id]);
    expect(qxl(first, 'host')).toEqual(['000']);
    expect(qxl(first, 'outside')).toEqual(['000']);
    expect(qxl(first, 'mirror')).toEqual(['000']);

    const stopping = await world.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stopping.StoppingInstances?.[0]?.CurrentState?.Name).toBe('stopping');
    const stopped = await waitForState(world, id, ['stopped'], 5 * 60_000);
    expect(stopped.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    // The ACPI power button reached the guest, which shut down cleanly (no hard stop).
    expect(await consoleOf(id)).toMatch(/reboot: Power down/);
    expect(world.sandbox.sim.vm()!.instances.find((i) => i.instanceId === id)?.pid).toBeUndefined();

    await world.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    await waitForConsole(id, /QXL boot persisted/);
    const second = await consoleOf(id);
    expect(second.match(/QXL user-data ran/g)).toHaveLength(1);
    const pid = world.sandbox.sim.vm()!.instances.find((i) => i.instanceId === id)?.pid;
    expect(pid).toBeTypeOf('number');
    const disk = world.sandbox.sim.vm()!.files.find((f) => f.includes(id));
    expect(disk).toBeDefined();

    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await waitForState(world, id, ['terminated'], 60_000);
    expect(processAlive(pid!)).toBe(false);
    const vm = world.sandbox.sim.vm()!;
    expect(vm.files).not.toContain(disk);
    expect(existsSync(disk!)).toBe(false);
    expect(existsSync(join(vm.workDir, id))).toBe(false);
    // EC2 keeps a terminated instance's console output readable for a while; so does the Sandbox.
    expect(await consoleOf(id)).toContain('QXL boot persisted');
  });
});

function baseImageId(): { imageId: string } {
  const image = world.sandbox.sim.images().find((i) => i.name.startsWith('debian-12-local-'));
  if (!image) throw new Error('the VM image is not registered');
  return image;
}

async function consoleOf(instanceId: string): Promise<string> {
  const out = await world.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
  return Buffer.from(out.Output ?? '', 'base64')
    .toString('utf8')
    .replace(/\r/g, '');
}

/** Reads the console as an EC2 client must (GetConsoleOutput, again and again) until `pattern` shows. */
async function waitForConsole(instanceId: string, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  while (!pattern.test(await consoleOf(instanceId))) {
    if (Date.now() > deadline) throw new Error(`${instanceId}: ${pattern} never showed on the console`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

function qxl(console: string, key: string): string[] {
  return [...console.matchAll(new RegExp(`^QXL ${key} ?(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
