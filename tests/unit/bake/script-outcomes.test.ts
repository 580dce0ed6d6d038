import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, expect, test } from 'vitest';
import { inspectUserData, wrapperHeader } from '../../../src/protocol/user-data';
import { BakeHarness, project, REGION } from './harness';

/**
 * How the engine reads what a builder's wrapper reports, end to end against the simulated Sandbox (whose
 * boot follows protocol version 3): cloud-init's warnings, a script that reboots, a Windows base image.
 */
let h: BakeHarness;
afterEach(async () => h.close());

const UBUNTU = {
  kind: 'ssm' as const,
  parameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
};
const MISSPELLED = '#cloud-config\npakages: [nginx]\nruncmd:\n  - echo configured\n';

test('a #cloud-config with a misspelled key fails by default, with cloud-init’s own list, and nothing is imaged', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(project({ baseImage: UBUNTU, initScript: MISSPELLED, env: {} }));
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({ step: 'run-script', code: 'SCRIPT_FAILED' });
  expect(record.error?.message).toContain('cloud-init finished the #cloud-config with 2 warnings');
  expect(record.error?.message).toContain('cloudConfigWarnings');
  expect(record.warnings).toEqual([
    {
      source: 'cloud-init',
      level: 'WARNING',
      message:
        "Invalid cloud-config provided: Please run 'sudo cloud-init schema --system' to see the schema errors.",
    },
    {
      source: 'cloud-init',
      level: 'SCHEMA',
      message:
        "Cloud config schema errors: pakages: Additional properties are not allowed ('pakages' was unexpected)",
    },
  ]);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('with cloudConfigWarnings: accept the bake succeeds with warnings, never plain "succeeded"', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({
      baseImage: UBUNTU,
      initScript: MISSPELLED,
      env: {},
      completion: {
        mode: 'wrapper',
        timeoutMinutes: 30,
        cloudInitClean: true,
        cloudConfigWarnings: 'accept',
      },
    }),
  );
  expect(record.status).toBe('succeeded');
  expect(record.warnings?.map((w) => w.level)).toEqual(['WARNING', 'SCHEMA']);
  expect(record.message).toMatch(/^Baked ami-\w+ \(version 1\) with 2 cloud-init warnings\.$/);
  expect(record.steps.find((s) => s.step === 'run-script')?.message).toContain(
    '2 warnings, which the project accepts',
  );
  await h.expectNoLeaks();
});

test('a correct #cloud-config has no warnings, on a cloud-init that reports unknown keys and on one that does not', async () => {
  h = await BakeHarness.create();
  const clean = await h.bake(
    project({ baseImage: UBUNTU, initScript: '#cloud-config\npackages: [nginx]\n', env: {} }),
  );
  expect(clean.status).toBe('succeeded');
  expect(clean.warnings).toBeUndefined();
  const old = await h.bake(project({ initScript: '#cloud-config\npackages: [nginx]\n', env: {} }));
  expect(old.status).toBe('succeeded');
  expect(old.warnings).toBeUndefined();
});

test('an unknown top-level key that cloud-init before 23.4 (Amazon Linux 2023) ignores silently is a warning all the same', async () => {
  h = await BakeHarness.create();
  const failed = await h.bake(project({ initScript: MISSPELLED, env: {} }));
  expect(failed.status).toBe('failed');
  expect(failed.error?.message).toContain('cloudConfigWarnings');
  expect(failed.warnings).toEqual([
    {
      source: 'quadraxis',
      level: 'UNKNOWN KEY',
      message: expect.stringMatching(/^“pakages” is not a cloud-config key \(did you mean “packages”\?\)/),
    },
  ]);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  const accepted = await h.bake(
    project({
      initScript: MISSPELLED,
      env: {},
      completion: {
        mode: 'wrapper',
        timeoutMinutes: 30,
        cloudInitClean: true,
        cloudConfigWarnings: 'accept',
      },
    }),
  );
  expect(accepted.status).toBe('succeeded');
  expect(accepted.warnings?.map((w) => w.source)).toEqual(['quadraxis']);
  expect(accepted.message).toMatch(/with 1 cloud-init warning\.$/);
  await h.expectNoLeaks();
});

test('a script that reboots the builder fails at once, saying so, with the lines that show it', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({ initScript: '#!/bin/sh\necho "kernel updated"\nreboot\necho "never printed"\n' }),
  );
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({
    step: 'run-script',
    code: 'SCRIPT_FAILED',
    details: { reason: 'rebooted' },
  });
  expect(record.error?.message).toMatch(/^The script rebooted the builder; use /);
  const tail = record.error?.consoleTail ?? [];
  expect(tail[0]).toMatch(/\[quadraxis:[0-9a-f]{32}\] begin$/);
  expect(tail.some((l) => l.endsWith('kernel updated'))).toBe(true);
  expect(tail.some((l) => l.includes('reboot: Restarting system'))).toBe(true);
  expect(tail.some((l) => l.includes('Linux version'))).toBe(true);
  expect(tail.some((l) => l.includes('never printed'))).toBe(false);
  // Early: the wrapper's per-boot hook powered the builder off, so the 30-minute timeout never came near.
  const step = record.steps.find((s) => s.step === 'run-script')!;
  expect(step.endedAt! - step.startedAt!).toBeLessThan(3 * 60_000);
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('a watched bake sees the reboot on the console and fails before the builder is down', async () => {
  h = await BakeHarness.create({ timings: { shutdownDelayMs: 10 * 60_000 } });
  const engine = h.engine();
  const started = await engine.start(h.request(project({ initScript: '#!/bin/sh\nsystemctl reboot\n' })));
  engine.watchConsole(started.id);
  const record = await engine.waitForFinal(started.id);
  expect(record.error?.details).toEqual({ reason: 'rebooted' });
  // The hook's poweroff was ten minutes away: the bake did not wait for it.
  const step = record.steps.find((s) => s.step === 'run-script')!;
  expect(step.endedAt! - step.startedAt!).toBeLessThan(5 * 60_000);
  await h.expectNoLeaks();
});

test('a Windows base image is refused in preflight, in words that say why, before anything is launched', async () => {
  h = await BakeHarness.create();
  const record = await h.bake(
    project({
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
      },
    }),
  );
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({
    step: 'preflight',
    code: 'INVALID_INPUT',
    details: { reason: 'windows' },
    message: expect.stringMatching(
      /is a Windows image \(Windows\)\. .*Windows has neither: choose a Linux base image/,
    ),
  });
  expect(h.sim.calls({ action: 'RunInstances' })).toHaveLength(0);
  await h.expectNoLeaks();
});

test('a bake that joined an identical one carries its leader’s cloud-init warnings', async () => {
  h = await BakeHarness.create();
  const engine = h.engine();
  const accepting = project({
    baseImage: UBUNTU,
    initScript: MISSPELLED,
    env: {},
    completion: { mode: 'wrapper', timeoutMinutes: 30, cloudInitClean: true, cloudConfigWarnings: 'accept' },
  });
  const leader = await engine.start(h.request(accepting));
  const twin = await engine.start(h.request(accepting));
  const [first, second] = [await engine.waitForFinal(leader.id), await engine.waitForFinal(twin.id)];
  expect(second.joinedTo).toBe(first.id);
  expect(second.warnings).toEqual(first.warnings);
  expect(second.warnings).toHaveLength(2);
  await h.expectNoLeaks();
});

test('a builder that powers off after exit 0 without reporting its user data removed is not imaged', async () => {
  h = await BakeHarness.create();
  // This bake's builder runs a wrapper that never says "cleaned" (an older one's format): the engine,
  // expecting version 3, does not take its exit 0 alone as leave to image it.
  const { clients } = await h.connect({ profile: 'sandbox', region: REGION });
  const send = clients.ec2.send.bind(clients.ec2) as (...args: unknown[]) => Promise<unknown>;
  (clients.ec2 as { send: unknown }).send = (command: unknown, ...rest: unknown[]) => {
    if (command instanceof RunInstancesCommand && command.input.UserData) {
      const info = inspectUserData(Buffer.from(command.input.UserData, 'base64')).wrapper!;
      const older = [
        wrapperHeader({ bakeId: info.bakeId, nonce: info.nonce, mode: 'script', version: 2 }),
        `QX_SCRIPT_B64='${Buffer.from(info.userScript ?? '').toString('base64')}'`,
      ].join('\n');
      command.input.UserData = Buffer.from(older).toString('base64');
    }
    return send(command, ...rest);
  };
  const record = await h.bake(project());
  expect(record.status).toBe('failed');
  expect(record.error).toMatchObject({ step: 'run-script', code: 'SCRIPT_FAILED' });
  expect(record.error?.message).toContain('did not report removing its user data');
  expect(h.sim.calls({ action: 'CreateImage' })).toHaveLength(0);
  await h.expectNoLeaks();
});
