import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  GetConsoleOutputCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMarker, wrapperHeader } from '../../../src/protocol/user-data';
import { decodeConsole, errorOf, openSandbox, wrappedUserData, type TestSandbox } from './helpers';

let t: TestSandbox;
let ubuntu: string;

beforeEach(async () => {
  t = await openSandbox({
    timings: {
      pendingMs: 1_000,
      bootMs: 2_000,
      scriptDefaultMs: 10_000,
      shutdownDelayMs: 500,
      stoppingMs: 3_000,
    },
  });
  const images = await t.ec2.send(
    new DescribeImagesCommand({
      Owners: ['099720109477'],
      Filters: [{ Name: 'architecture', Values: ['x86_64'] }],
    }),
  );
  ubuntu = images.Images![0]!.ImageId!;
});
afterEach(() => t.close());

async function launch(
  userData: string,
  extra: { InstanceInitiatedShutdownBehavior?: 'stop' | 'terminate' } = {},
): Promise<string> {
  const out = await t.ec2.send(
    new RunInstancesCommand({
      ImageId: ubuntu,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: userData,
      ...extra,
    }),
  );
  return out.Instances![0]!.InstanceId!;
}

async function consoleOf(id: string, latest = true) {
  const out = await t.ec2.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: latest }));
  return { text: decodeConsole(out.Output), timestamp: out.Timestamp };
}

async function describe1(id: string) {
  return (await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!
    .Instances![0]!;
}

const markers = (text: string, nonce: string) =>
  text.split('\n').flatMap((line) => parseMarker(line, nonce) ?? []);

describe('a wrapped script on the simulated console', () => {
  it('prints begin, the echoes, done, then the instance powers itself off', async () => {
    const id = await launch(
      wrappedUserData('set -e\nGREETING=hello\necho "$GREETING $WHO"\nsleep 20\necho done-work\n', {
        nonce: 'n1',
        env: { WHO: 'world' },
      }),
    );
    await t.clock.advance(3_000 + 10_000);
    const midway = await consoleOf(id);
    expect(markers(midway.text, 'n1')).toEqual([{ kind: 'begin' }]);
    expect(midway.text).toContain('cloud-init[1602]: hello world');
    expect(midway.text).not.toContain('done-work');
    expect((await describe1(id)).State?.Name).toBe('running');
    await t.clock.advance(10_000);
    const finished = await consoleOf(id);
    expect(markers(finished.text, 'n1')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 0, warnings: 0 },
    ]);
    expect(finished.text.indexOf('done-work')).toBeLessThan(finished.text.indexOf('[quadraxis:n1] done'));
    await t.clock.advance(500);
    expect((await describe1(id)).State?.Name).toBe('stopping');
    await t.clock.advance(3_000);
    const stopped = await describe1(id);
    expect(stopped.State?.Name).toBe('stopped');
    expect(stopped.StateReason).toEqual({
      Code: 'Client.InstanceInitiatedShutdown',
      Message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
    });
    expect((await consoleOf(id)).text).toContain('reboot: Power down');
  });

  it('without Latest, only shows what was buffered at the last state transition', async () => {
    const id = await launch(wrappedUserData('echo step\nsleep 5\n', { nonce: 'n2' }));
    await t.clock.advance(1_000 + 2_000 + 5_000);
    const buffered = await consoleOf(id, false);
    expect(buffered.timestamp?.getTime()).toBe(Date.UTC(2026, 0, 1) + 1_000);
    expect(buffered.text).not.toContain('[quadraxis:n2]');
    expect((await consoleOf(id, true)).text).toContain('[quadraxis:n2] done exit=0');
    await t.clock.advance(500 + 3_000);
    const afterStop = await consoleOf(id, false);
    expect(markers(afterStop.text, 'n2')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 0, warnings: 0 },
      { kind: 'cleaned' },
    ]);
  });

  it('powers off after a non-zero exit too (wrapper version 2)', async () => {
    const id = await launch(
      wrappedUserData('echo failing\nexit 3\necho never\n', { nonce: 'n3', version: 2 }),
    );
    await t.clock.advance(60_000);
    const text = (await consoleOf(id)).text;
    expect(markers(text, 'n3')).toEqual([{ kind: 'begin' }, { kind: 'done', exitCode: 3 }]);
    expect(text).not.toContain('never');
    expect(text).toContain('reboot: Power down');
    const instance = await describe1(id);
    expect(instance.State?.Name).toBe('stopped');
    expect(instance.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
    expect(t.sandbox.sim.instances()[0]!.script).toMatchObject({ complete: true, exitCode: 3 });
  });

  it('an outcome with poweroff: false keeps the machine up after the marker (a plain script, timed)', async () => {
    t.sandbox.sim.setScenario({ outcome: { exitCode: 1, poweroff: false } });
    const id = await launch(wrappedUserData('echo plain\n', { nonce: 'p' }));
    await t.clock.advance(60_000);
    expect(markers((await consoleOf(id)).text, 'p')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 1, warnings: 0 },
    ]);
    expect((await describe1(id)).State?.Name).toBe('running');
  });

  it('a version 1 wrapper stays running after a non-zero exit', async () => {
    const id = await launch(wrappedUserData('echo failing\nexit 3\n', { nonce: 'v1', version: 1 }));
    await t.clock.advance(60_000);
    expect(markers((await consoleOf(id)).text, 'v1')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 3 },
    ]);
    expect((await describe1(id)).State?.Name).toBe('running');
  });

  it('a script that powers the machine off itself goes down without a done marker', async () => {
    const script = 'echo half-way\nsudo shutdown -h now\necho never\n';
    const id = await launch(wrappedUserData(script, { nonce: 'off' }));
    await t.clock.advance(60_000);
    const text = (await consoleOf(id)).text;
    expect(markers(text, 'off')).toEqual([{ kind: 'begin' }]);
    expect(text).toContain('half-way');
    expect(text).not.toContain('never');
    const instance = await describe1(id);
    expect(instance.State?.Name).toBe('stopped');
    expect(instance.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
    expect(t.sandbox.sim.instances()[0]!.script).toMatchObject({ complete: false });
  });

  it('terminates itself when the shutdown behaviour says terminate', async () => {
    const id = await launch(wrappedUserData('echo hi\n'), { InstanceInitiatedShutdownBehavior: 'terminate' });
    await t.clock.advance(60_000);
    const instance = await describe1(id);
    expect(instance.State?.Name).toBe('terminated');
    expect(instance.StateReason?.Code).toBe('Client.InstanceInitiatedShutdown');
  });

  it('follows the scenario: fail, hang, duration', async () => {
    t.sandbox.sim.setScenario({ outcome: { exitCode: 7 }, scriptMs: 30_000 });
    const failing = await launch(wrappedUserData('echo ok\n', { nonce: 'f' }));
    t.sandbox.sim.setScenario({ outcome: 'hang' });
    const hanging = await launch(wrappedUserData('echo ok\n', { nonce: 'h' }));
    await t.clock.advance(3_000 + 29_000);
    expect(markers((await consoleOf(failing)).text, 'f')).toEqual([{ kind: 'begin' }]);
    await t.clock.advance(1_000);
    expect(markers((await consoleOf(failing)).text, 'f')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 7, warnings: 0 },
    ]);
    await t.clock.advance(24 * 3_600_000);
    expect(markers((await consoleOf(hanging)).text, 'h')).toEqual([{ kind: 'begin' }]);
    expect((await describe1(hanging)).State?.Name).toBe('running');
  });

  it('simulates cloud-init mode: packages and runcmd, then the markers', async () => {
    const boundary = 'QXBOUNDARY';
    const wrapper = [
      wrapperHeader({ bakeId: 'b', nonce: 'ci', mode: 'cloud-init' }),
      'cloud-init status --wait',
    ].join('\n');
    const doc = [
      'Content-Type: multipart/mixed; boundary="QXBOUNDARY"',
      'MIME-Version: 1.0',
      '',
      `--${boundary}`,
      'Content-Type: text/cloud-config',
      '',
      '#cloud-config\npackages:\n  - nginx\nruncmd:\n  - echo configured\n  - [sleep, "30"]',
      `--${boundary}`,
      'Content-Type: text/x-shellscript',
      '',
      wrapper,
      `--${boundary}--`,
      '',
    ].join('\n');
    const id = await launch(gzipSync(doc).toString('base64'));
    await t.clock.advance(3_000 + 20_000);
    expect((await consoleOf(id)).text).toContain('Setting up nginx ...');
    // The wrapper (run first) has begun waiting for cloud-init; done comes once cloud-init has finished.
    expect(markers((await consoleOf(id)).text, 'ci')).toEqual([{ kind: 'begin' }]);
    await t.clock.advance(25_000);
    const text = (await consoleOf(id)).text;
    expect(text).toContain('configured');
    expect(markers(text, 'ci')).toEqual([
      { kind: 'begin' },
      { kind: 'done', exitCode: 0, warnings: 0 },
      { kind: 'cleaned' },
    ]);
  });

  it('boots unwrapped user data and keeps running', async () => {
    const id = await launch(Buffer.from('#!/bin/bash\necho plain\n').toString('base64'));
    await t.clock.advance(3_600_000);
    expect((await describe1(id)).State?.Name).toBe('running');
    const text = (await consoleOf(id)).text;
    expect(text).toContain('Cloud-init v. 24.1.3-0ubuntu3.3 finished');
    expect(text).not.toContain('[quadraxis:');
  });

  it('hands out only the last 64 KB', async () => {
    const script = Array.from({ length: 1500 }, (_, i) => `echo "line ${i} ${'x'.repeat(40)}"`).join('\n');
    // Gzipped, as the engine sends user data that would exceed 16 KB.
    const id = await launch(
      gzipSync(Buffer.from(wrappedUserData(script, { nonce: 'big' }), 'base64')).toString('base64'),
    );
    await t.clock.advance(3_000);
    const text = (await consoleOf(id)).text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    expect(text).toContain('line 1499');
    expect(text).not.toContain('Linux version');
  });

  it('names an unknown instance', async () => {
    const error = await errorOf(
      t.ec2.send(new GetConsoleOutputCommand({ InstanceId: 'i-0123456789abcdef0' })),
    );
    expect(error.name).toBe('InvalidInstanceID.NotFound');
  });
});
