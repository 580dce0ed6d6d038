import {
  DescribeImagesCommand,
  DescribeRegionsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxClientConfig } from '../../../src/sandbox';
import { errorOf, openSandbox, rawCall, REGION, type TestSandbox } from './helpers';

let t: TestSandbox;
afterEach(() => t.close());

async function x86Image(): Promise<string> {
  const images = await t.ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'architecture', Values: ['x86_64'] }],
    }),
  );
  return images.Images![0]!.ImageId!;
}

describe('throttling', () => {
  it('runs out of the 100-token non-mutating bucket, then refills at 20 per second', async () => {
    t = await openSandbox({ throttling: true });
    const burst = (n: number) =>
      Array.from({ length: n }, () => rawCall(t.sandbox, { Action: 'DescribeRegions' }));
    expect(burst(99).every((r) => r.kind === 'reply' && r.status === 200)).toBe(true);
    await t.ec2.send(new DescribeRegionsCommand({}));
    const throttled = await errorOf(t.ec2.send(new DescribeRegionsCommand({})));
    expect(throttled).toMatchObject({
      name: 'RequestLimitExceeded',
      status: 503,
      message: 'Request limit exceeded.',
    });
    await t.clock.advance(40);
    expect((await errorOf(t.ec2.send(new DescribeRegionsCommand({})))).name).toBe('RequestLimitExceeded');
    await t.clock.advance(1_000);
    expect(burst(20).every((r) => r.kind === 'reply' && r.status === 200)).toBe(true);
    expect((await errorOf(t.ec2.send(new DescribeImagesCommand({})))).name).toBe('RequestLimitExceeded');
    expect(t.sandbox.sim.calls().filter((c) => c.outcome === 'RequestLimitExceeded')).toHaveLength(3);
  });

  it('gives RunInstances its own bucket of 5 (2 per second) and mutating actions a shared 50', async () => {
    t = await openSandbox({ throttling: true });
    const imageId = await x86Image();
    const launch = () =>
      t.ec2.send(
        new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
      );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await launch()).Instances![0]!.InstanceId!);
    expect((await errorOf(launch())).name).toBe('RequestLimitExceeded');
    await t.clock.advance(500);
    await launch();
    for (let i = 0; i < 25; i++)
      rawCall(t.sandbox, {
        Action: 'CreateTags',
        'ResourceId.1': ids[0]!,
        'Tag.1.Key': 'k',
        'Tag.1.Value': String(i),
      });
    for (let i = 0; i < 24; i++)
      rawCall(t.sandbox, { Action: 'TerminateInstances', 'InstanceId.1': ids[0]! });
    await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]!] }));
    expect((await errorOf(t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[1]!] })))).name).toBe(
      'RequestLimitExceeded',
    );
    expect((await t.ec2.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
  });

  it('is per region', async () => {
    t = await openSandbox({ throttling: true });
    for (let i = 0; i < 101; i++) rawCall(t.sandbox, { Action: 'DescribeRegions' });
    expect((await errorOf(t.ec2.send(new DescribeRegionsCommand({})))).name).toBe('RequestLimitExceeded');
    const other = new EC2Client({
      ...sandboxClientConfig(t.sandbox, { region: 'us-west-2', clock: t.clock }),
      maxAttempts: 1,
    });
    const out = await other.send(new DescribeRegionsCommand({}));
    other.destroy();
    expect(out.Regions?.length).toBeGreaterThan(0);
  });
});

describe('injected faults', () => {
  it('fails the next N calls of an action, then recovers', async () => {
    t = await openSandbox();
    const imageId = await x86Image();
    t.sandbox.sim.injectFault({ action: 'RunInstances', fault: 'InsufficientInstanceCapacity', count: 2 });
    const launch = () =>
      t.ec2.send(
        new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.large', MinCount: 1, MaxCount: 1 }),
      );
    const first = await errorOf(launch());
    expect(first).toMatchObject({ name: 'InsufficientInstanceCapacity', status: 500 });
    expect(first.message).toContain('sufficient t3.large capacity');
    expect((await errorOf(launch())).name).toBe('InsufficientInstanceCapacity');
    expect((await launch()).Instances).toHaveLength(1);
    expect(t.sandbox.sim.instances()).toHaveLength(1);
  });

  it('serves 500 InternalError and 503 Unavailable, which the SDK retries', async () => {
    t = await openSandbox();
    t.sandbox.sim.injectFault({ action: 'DescribeRegions', fault: 'InternalError' });
    expect(await errorOf(t.ec2.send(new DescribeRegionsCommand({})))).toMatchObject({
      name: 'InternalError',
      status: 500,
    });
    t.sandbox.sim.injectFault({ action: 'DescribeRegions', fault: 'Unavailable' });
    t.sandbox.sim.injectFault({ action: 'DescribeRegions', fault: 'InternalError' });
    const retrying = new EC2Client({
      ...sandboxClientConfig(t.sandbox, { region: REGION, clock: t.clock }),
      maxAttempts: 3,
    });
    const out = await retrying.send(new DescribeRegionsCommand({}));
    retrying.destroy();
    expect(out.$metadata.attempts).toBe(3);
    expect(t.sandbox.sim.calls({ action: 'DescribeRegions' }).map((c) => c.outcome)).toEqual([
      'InternalError',
      'Unavailable',
      'InternalError',
      'ok',
    ]);
  });

  it('drops the connection without an answer', async () => {
    t = await openSandbox();
    t.sandbox.sim.injectFault({ action: 'DescribeRegions', fault: 'DropConnection' });
    const error = await errorOf(t.ec2.send(new DescribeRegionsCommand({})));
    expect(error.status).toBeUndefined();
    expect(t.sandbox.sim.calls()).toMatchObject([{ action: 'DescribeRegions', outcome: 'dropped' }]);
  });

  it('loses a RunInstances answer after the launch; the SDK retry with the same ClientToken finds the same instance', async () => {
    t = await openSandbox();
    const imageId = await x86Image();
    t.sandbox.sim.injectFault({ action: 'RunInstances', fault: 'DropResponse' });
    const retrying = new EC2Client({
      ...sandboxClientConfig(t.sandbox, { region: REGION, clock: t.clock }),
      maxAttempts: 2,
    });
    const out = await retrying.send(
      new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
    );
    retrying.destroy();
    expect(t.sandbox.sim.instances().map((i) => i.instanceId)).toEqual([out.Instances![0]!.InstanceId]);
    expect(t.sandbox.sim.calls({ action: 'RunInstances' }).map((c) => c.outcome)).toEqual(['dropped', 'ok']);
  });

  it('applies to STS and SSM too, and clears', async () => {
    t = await openSandbox();
    const sts = new STSClient(t.config);
    const ssm = new SSMClient(t.config);
    t.sandbox.sim.injectFault({ action: 'GetCallerIdentity', fault: 'InternalError' });
    t.sandbox.sim.injectFault({ action: 'GetParameter', fault: 'RequestLimitExceeded' });
    expect((await errorOf(sts.send(new GetCallerIdentityCommand({})))).status).toBe(500);
    const name = '/aws/service/debian/release/12/latest/amd64';
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: name })))).name).toBe(
      'ThrottlingException',
    );
    t.sandbox.sim.injectFault({ action: '*', fault: 'InternalError', count: 5 });
    expect(t.sandbox.sim.faults()).toEqual([{ action: '*', fault: 'InternalError', count: 5 }]);
    t.sandbox.sim.clearFaults();
    expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toMatch(/^ami-/);
    sts.destroy();
    ssm.destroy();
  });
});

describe('DryRun', () => {
  it('answers DryRunOperation when allowed and UnauthorizedOperation when not, changing nothing', async () => {
    t = await openSandbox();
    const imageId = await x86Image();
    const dry = () =>
      t.ec2.send(
        new RunInstancesCommand({
          ImageId: imageId,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          DryRun: true,
        }),
      );
    expect(await errorOf(dry())).toMatchObject({
      name: 'DryRunOperation',
      status: 412,
      message: 'Request would have succeeded, but DryRun flag is set.',
    });
    t.sandbox.sim.setDryRunAllowed('RunInstances', false);
    const denied = await errorOf(dry());
    expect(denied).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(denied.message).toMatch(/Encoded authorization failure message: [\w-]{40,}/);
    t.sandbox.sim.setDryRunAllowed('RunInstances', true);
    expect((await errorOf(dry())).name).toBe('DryRunOperation');
    expect(t.sandbox.sim.instances()).toEqual([]);
  });
});
