import {
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { systemClock, VirtualClock, type Clock } from '../../../src/main/services/clock';
import { parseMarker } from '../../../src/protocol/user-data';
import {
  sandboxClientConfig,
  startSandbox,
  trackClientWithClock,
  type SandboxTimings,
} from '../../../src/sandbox';
import { decodeConsole, REGION, wrappedUserData } from './helpers';

/**
 * The sequence the bake engine drives: launch → running → begin/done markers → the instance stops itself
 * → CreateImage → available → terminate. Polling is how EC2 must be watched; the clock decides how long
 * a poll interval is.
 */
async function bake(
  ec2: EC2Client,
  clock: Clock,
  pollMs: number,
): Promise<{ imageId: string; steps: string[] }> {
  const steps: string[] = [];
  const base = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }],
    }),
  );
  const latest = base.Images!.sort((a, b) => b.CreationDate!.localeCompare(a.CreationDate!))[0]!;
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: latest.ImageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      UserData: wrappedUserData('echo installing\nsleep 600\necho installed\n', { nonce: 'bake' }),
    }),
  );
  const id = run.Instances![0]!.InstanceId!;
  const poll = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      await clock.sleep(pollMs);
    }
  };
  const instance = () =>
    ec2
      .send(new DescribeInstancesCommand({ InstanceIds: [id] }))
      .then((r) => r.Reservations![0]!.Instances![0]!);
  await poll(instance, (i) => i.State?.Name === 'running');
  steps.push('running');
  const output = await poll(
    () =>
      ec2
        .send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true }))
        .then((o) => decodeConsole(o.Output)),
    // The wrapper's last word after a success: the user data is gone, the poweroff follows.
    (text) => text.split('\n').some((line) => parseMarker(line, 'bake')?.kind === 'cleaned'),
  );
  steps.push(
    output
      .split('\n')
      .flatMap((l) => parseMarker(l, 'bake') ?? [])
      .map((m) => (m.kind === 'done' ? `done ${m.exitCode}` : m.kind))
      .join(','),
  );
  const stopped = await poll(instance, (i) => i.State?.Name === 'stopped');
  steps.push(`stopped ${stopped.StateReason?.Code}`);
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'flow-image' }));
  await poll(
    () => ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })).then((r) => r.Images![0]!.State),
    (state) => state === 'available',
  );
  steps.push('available');
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  await poll(instance, (i) => i.State?.Name === 'terminated');
  steps.push('terminated');
  return { imageId: ImageId!, steps };
}

const EXPECTED_STEPS = [
  'running',
  'begin,done 0,cleaned',
  'stopped Client.InstanceInitiatedShutdown',
  'available',
  'terminated',
];

describe('a full simulated bake', () => {
  it('runs a 20-minute bake on a VirtualClock in auto mode', async () => {
    const clock = new VirtualClock();
    const sandbox = await startSandbox({ seed: 'flow', clock, timings: { imagePendingMs: 8 * 60_000 } });
    const ec2 = new EC2Client(sandboxClientConfig(sandbox, { region: REGION, clock }));
    clock.startAuto();
    try {
      // A 15 s tick, like the engine's shared poller: about 80 SDK calls for 20 simulated minutes.
      const { imageId, steps } = await bake(ec2, clock, 15_000);
      expect(steps).toEqual(EXPECTED_STEPS);
      expect(clock.now() - Date.UTC(2026, 0, 1)).toBeGreaterThan(18 * 60_000);
      expect(sandbox.sim.images()).toMatchObject([
        { imageId, state: 'available', scriptCompleteAtCapture: true },
      ]);
    } finally {
      clock.stopAuto();
      ec2.destroy();
      await sandbox.close();
    }
  });

  it('runs the same bake in real time with short timings', async () => {
    const timings: Partial<SandboxTimings> = {
      pendingMs: 150,
      bootMs: 150,
      scriptDefaultMs: 100,
      shutdownDelayMs: 50,
      stoppingMs: 150,
      shuttingDownMs: 150,
      imagePendingMs: 200,
    };
    const sandbox = await startSandbox({ seed: 'flow', timings });
    const ec2 = new EC2Client(sandboxClientConfig(sandbox, { region: REGION }));
    sandbox.sim.setScenario({ scriptMs: 300 });
    try {
      const { steps } = await bake(ec2, systemClock, 40);
      expect(steps).toEqual(EXPECTED_STEPS);
    } finally {
      ec2.destroy();
      await sandbox.close();
    }
  });
});

describe('per-launch timelines', () => {
  it('gives each launched instance its own timings and outcome, in order', async () => {
    const clock = new VirtualClock();
    const sandbox = await startSandbox({
      seed: 'timelines',
      clock,
      throttling: false,
      timings: { bootMs: 1_000, shutdownDelayMs: 0 },
    });
    const ec2 = new EC2Client({ ...sandboxClientConfig(sandbox, { region: REGION, clock }), maxAttempts: 1 });
    try {
      sandbox.sim.pushTimeline({
        runningAfterMs: 2_000,
        scriptMs: 10_000,
        stoppingMs: 3_000,
        imageMs: 4_000,
        terminateMs: 5_000,
      });
      sandbox.sim.pushTimeline({ runningAfterMs: 1_000, outcome: 'hang' });
      const base = await ec2.send(
        new DescribeImagesCommand({
          Owners: ['amazon'],
          Filters: [
            { Name: 'architecture', Values: ['x86_64'] },
            { Name: 'name', Values: ['al2023-*'] },
          ],
        }),
      );
      const run = await ec2.send(
        new RunInstancesCommand({
          ImageId: base.Images![0]!.ImageId,
          InstanceType: 't3.micro',
          MinCount: 2,
          MaxCount: 2,
          UserData: wrappedUserData('echo go\n'),
        }),
      );
      const [first, second] = run.Instances!.map((i) => i.InstanceId!);
      const state = (id: string) => sandbox.sim.instances().find((i) => i.instanceId === id)!.state;
      await clock.advance(1_000);
      expect([state(first!), state(second!)]).toEqual(['pending', 'running']);
      await clock.advance(1_000 + 1_000 + 10_000);
      expect(state(first!)).toBe('stopping');
      await clock.advance(3_000);
      expect(state(first!)).toBe('stopped');
      const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: first, Name: 'timed' }));
      await clock.advance(4_000);
      expect(sandbox.sim.images().find((i) => i.imageId === ImageId)?.state).toBe('available');
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [first!, second!] }));
      await clock.advance(4_999);
      expect(state(first!)).toBe('shutting-down');
      await clock.advance(1);
      expect(state(first!)).toBe('terminated');
      expect(sandbox.sim.instances().find((i) => i.instanceId === second)?.script.complete).toBe(false);
      expect(sandbox.sim.pendingTimelines()).toBe(0);
    } finally {
      ec2.destroy();
      await sandbox.close();
    }
  });
});

describe('clock tracking', () => {
  /** A retried call: the first attempt's connection is dropped, the SDK backs off (real time) and retries. */
  async function retriedCallTimes(
    makeClient: (clock: VirtualClock, url: string) => EC2Client,
  ): Promise<number[]> {
    const clock = new VirtualClock();
    const sandbox = await startSandbox({ seed: 'track', clock });
    const ec2 = makeClient(clock, sandbox.url);
    sandbox.sim.injectFault({ action: 'DescribeRegions', fault: 'DropConnection' });
    const sleeper = clock.sleep(60_000);
    clock.startAuto();
    try {
      await ec2.send(new DescribeRegionsCommand({}));
      await sleeper;
      return sandbox.sim.calls().map((c) => c.time - Date.UTC(2026, 0, 1));
    } finally {
      clock.stopAuto();
      ec2.destroy();
      await sandbox.close();
    }
  }

  it('holds virtual time still during each attempt and lets it move between retries (config extension)', async () => {
    const times = await retriedCallTimes(
      (clock, url) =>
        new EC2Client({ ...sandboxClientConfig({ url }, { region: REGION, clock }), maxAttempts: 2 }),
    );
    expect(times).toEqual([0, 60_000]);
  });

  it('does the same through trackClientWithClock on a client built elsewhere', async () => {
    const times = await retriedCallTimes((clock, url) =>
      trackClientWithClock(
        new EC2Client({ ...sandboxClientConfig({ url }, { region: REGION }), maxAttempts: 2 }),
        clock,
      ),
    );
    expect(times).toEqual([0, 60_000]);
  });
});
