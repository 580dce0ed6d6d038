import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAG_SIMULATED } from '../../../src/protocol/builder-tags';
import { errorOf, openSandbox, type TestSandbox } from './helpers';

let t: TestSandbox;
let al2023x86: string;
let al2023arm: string;

beforeEach(async () => {
  t = await openSandbox();
  const images = await t.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const al2023 = images.Images!.filter((i) => i.Name?.startsWith('al2023-'));
  al2023x86 = al2023.find((i) => i.Architecture === 'x86_64')!.ImageId!;
  al2023arm = al2023.find((i) => i.Architecture === 'arm64')!.ImageId!;
});
afterEach(() => t.close());

const run = (input: Partial<RunInstancesCommandInput> = {}) =>
  t.ec2.send(
    new RunInstancesCommand({
      ImageId: al2023x86,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      ...input,
    }),
  );

describe('RunInstances', () => {
  it('launches with the requested settings and tags, pending first', async () => {
    const subnets = t.sandbox.sim.instances().length;
    expect(subnets).toBe(0);
    const out = await run({
      KeyName: 'sandbox-key',
      IamInstanceProfile: { Name: 'builder-role' },
      InstanceInitiatedShutdownBehavior: 'terminate',
      MetadataOptions: { HttpTokens: 'required' },
      UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } },
        { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 5, DeleteOnTermination: false } },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'quadraxis:role', Value: 'builder' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'purpose', Value: 'scratch' }] },
      ],
    });
    const instance = out.Instances![0]!;
    expect(instance.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(out.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(instance.State).toEqual({ Code: 0, Name: 'pending' });
    expect(instance.StateReason?.Code).toBe('pending');
    expect(instance.KeyName).toBe('sandbox-key');
    expect(instance.IamInstanceProfile?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/builder-role');
    expect(instance.MetadataOptions?.HttpTokens).toBe('required');
    expect(instance.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'quadraxis:role', Value: 'builder' },
        { Key: TAG_SIMULATED, Value: 'true' },
      ]),
    );
    expect(instance.BlockDeviceMappings).toHaveLength(2);
    const view = t.sandbox.sim.instances()[0]!;
    expect(view.shutdownBehavior).toBe('terminate');
    expect(view.userDataBytes).toBe(18);
    const volumes = await t.ec2.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }],
      }),
    );
    expect(volumes.Volumes?.map((v) => v.Size).sort()).toEqual([20, 5]);
    expect(volumes.Volumes?.every((v) => v.Tags?.some((tag) => tag.Key === 'purpose'))).toBe(true);
  });

  it('honours MinCount/MaxCount, one reservation for the lot', async () => {
    const out = await run({ MinCount: 2, MaxCount: 3 });
    expect(out.Instances).toHaveLength(3);
    expect(new Set(out.Instances!.map((i) => i.InstanceId)).size).toBe(3);
    expect(out.Instances!.map((i) => i.AmiLaunchIndex)).toEqual([0, 1, 2]);
  });

  it('returns the same instance for the same ClientToken, never a second one', async () => {
    const first = await run({ ClientToken: 'bake-42' });
    const again = await run({ ClientToken: 'bake-42' });
    expect(again.Instances![0]!.InstanceId).toBe(first.Instances![0]!.InstanceId);
    expect(t.sandbox.sim.instances()).toHaveLength(1);
    const mismatch = await errorOf(run({ ClientToken: 'bake-42', InstanceType: 't3.small' }));
    expect(mismatch.name).toBe('IdempotentParameterMismatch');
  });

  it('makes the same ids from the same seed', async () => {
    const id = (await run()).Instances![0]!.InstanceId;
    const other = await openSandbox({ seed: 'unit' });
    const different = await openSandbox({ seed: 'another' });
    try {
      const send = (s: TestSandbox) =>
        s.ec2.send(
          new RunInstancesCommand({ ImageId: al2023x86, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
        );
      expect((await send(other)).Instances![0]!.InstanceId).toBe(id);
      expect((await send(different)).Instances![0]!.InstanceId).not.toBe(id);
    } finally {
      await other.close();
      await different.close();
    }
  });

  it.each<[string, string, Partial<RunInstancesCommandInput>]>([
    ['InvalidAMIID.Malformed', 'a malformed image id', { ImageId: 'ami-xyz' }],
    ['InvalidAMIID.NotFound', 'an unknown image', { ImageId: 'ami-0123456789abcdef0' }],
    ['InvalidParameterValue', 'an unknown instance type', { InstanceType: 't9.huge' as 't3.micro' }],
    ['InvalidParameterValue', 'an arm64 type for an x86_64 image', { InstanceType: 't4g.micro' }],
    [
      'InvalidParameterValue',
      'user data over 16 KB',
      { UserData: Buffer.alloc(16 * 1024 + 1, 'a').toString('base64') },
    ],
    ['InvalidParameterValue', 'user data that is not base64', { UserData: 'not base64!' }],
    [
      'InvalidParameterValue',
      'an unknown shutdown behaviour',
      { InstanceInitiatedShutdownBehavior: 'hibernate' as 'stop' },
    ],
    [
      'InvalidParameterValue',
      'tags for a resource it does not make',
      { TagSpecifications: [{ ResourceType: 'image' as const, Tags: [{ Key: 'a', Value: 'b' }] }] },
    ],
    [
      'InvalidParameterValue',
      "a tag key starting with 'aws:'",
      { TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [{ Key: 'aws:x', Value: 'b' }] }] },
    ],
    ['InvalidSubnetID.NotFound', 'an unknown subnet', { SubnetId: 'subnet-0123456789abcdef0' }],
    ['InvalidGroup.NotFound', 'an unknown security group', { SecurityGroupIds: ['sg-0123456789abcdef0'] }],
    [
      'InvalidParameterCombination',
      'group names with a subnet',
      { SecurityGroups: ['default'], SubnetId: 'subnet-x' },
    ],
    ['InvalidKeyPair.NotFound', 'an unknown key pair', { KeyName: 'nope' }],
    [
      'InvalidBlockDeviceMapping',
      'a root volume smaller than its snapshot',
      { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 2 } }] },
    ],
    ['MissingParameter', 'no MinCount', { MinCount: undefined }],
    ['InstanceLimitExceeded', 'more than 20 instances at once', { MinCount: 21, MaxCount: 21 }],
  ])('refuses with %s for %s', async (code, _label, input) => {
    const error = await errorOf(run(input));
    expect(error.name).toBe(code);
    expect(error.status).toBe(400);
    expect(t.sandbox.sim.instances()).toHaveLength(0);
  });

  it('explains an architecture mismatch the way EC2 does', async () => {
    const error = await errorOf(run({ ImageId: al2023arm, InstanceType: 't3.micro' }));
    expect(error.message).toContain(
      "The architecture 'x86_64' of the specified instance type does not match the architecture 'arm64'",
    );
  });

  it('accepts user data of exactly 16 KB', async () => {
    const out = await run({ UserData: Buffer.alloc(16 * 1024, 'a').toString('base64') });
    expect(out.Instances).toHaveLength(1);
  });
});

describe('DescribeInstances', () => {
  it('filters by tag, tag-key, state and id', async () => {
    const tagged = (
      await run({
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'role', Value: 'builder' }] }],
      })
    ).Instances![0]!;
    const plain = (await run()).Instances![0]!;
    await t.clock.advance(t.sandbox.sim.timings.pendingMs);
    await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [plain.InstanceId!] }));
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      (await t.ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations!.flatMap((r) =>
        r.Instances!.map((i) => i.InstanceId),
      );
    expect(await ids([{ Name: 'tag:role', Values: ['builder'] }])).toEqual([tagged.InstanceId]);
    expect(await ids([{ Name: 'tag:role', Values: ['build*'] }])).toEqual([tagged.InstanceId]);
    expect(await ids([{ Name: 'tag-key', Values: ['role'] }])).toEqual([tagged.InstanceId]);
    expect(await ids([{ Name: 'instance-state-name', Values: ['shutting-down'] }])).toEqual([
      plain.InstanceId,
    ]);
    expect(await ids([{ Name: 'instance-state-name', Values: ['running', 'pending'] }])).toEqual([
      tagged.InstanceId,
    ]);
    expect(await ids([{ Name: 'instance-id', Values: [plain.InstanceId!] }])).toEqual([plain.InstanceId]);
    expect(
      await ids([
        { Name: 'tag:role', Values: ['builder'] },
        { Name: 'instance-state-name', Values: ['stopped'] },
      ]),
    ).toEqual([]);
    expect((await errorOf(ids([{ Name: 'colour', Values: ['red'] }]))).name).toBe('InvalidParameterValue');
  });

  it('pages with MaxResults and NextToken, refusing MaxResults with ids', async () => {
    const launched = (await run({ MinCount: 7, MaxCount: 7 })).Instances!.map((i) => i.InstanceId);
    const first = await t.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const second = await t.ec2.send(
      new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    const seen = [first, second].flatMap((p) =>
      p.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId)),
    );
    expect(seen).toEqual(launched);
    expect(second.NextToken).toBeUndefined();
    expect((await errorOf(t.ec2.send(new DescribeInstancesCommand({ MaxResults: 3 })))).name).toBe(
      'InvalidParameterValue',
    );
    expect((await errorOf(t.ec2.send(new DescribeInstancesCommand({ NextToken: 'garbage' })))).name).toBe(
      'InvalidPaginationToken',
    );
    const combo = await errorOf(
      t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [launched[0]!], MaxResults: 5 })),
    );
    expect(combo.name).toBe('InvalidParameterCombination');
  });

  it('names unknown and malformed ids', async () => {
    const missing = await errorOf(
      t.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    );
    expect(missing).toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    expect((await errorOf(t.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-nope'] })))).name).toBe(
      'InvalidInstanceID.Malformed',
    );
  });

  it('keeps resources per region', async () => {
    await run();
    const { EC2Client } = await import('@aws-sdk/client-ec2');
    const other = new EC2Client({
      endpoint: t.sandbox.url,
      region: 'us-east-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const out = await other.send(new DescribeInstancesCommand({}));
    other.destroy();
    expect(out.Reservations).toEqual([]);
    expect(t.sandbox.sim.instances({ region: 'eu-west-1' })).toHaveLength(1);
  });
});

describe('Stop, Start, Terminate', () => {
  it('moves through the states with time, with user-initiated reasons', async () => {
    const id = (await run()).Instances![0]!.InstanceId!;
    const state = async () =>
      (await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!
        .Instances![0]!;
    expect((await errorOf(t.ec2.send(new StopInstancesCommand({ InstanceIds: [id] })))).name).toBe(
      'IncorrectInstanceState',
    );
    await t.clock.advance(t.sandbox.sim.timings.pendingMs);
    expect((await state()).State?.Name).toBe('running');
    expect((await errorOf(t.ec2.send(new StartInstancesCommand({ InstanceIds: [id] })))).name).toBe(
      'IncorrectInstanceState',
    );
    const stop = await t.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances![0]).toMatchObject({
      PreviousState: { Name: 'running' },
      CurrentState: { Name: 'stopping', Code: 64 },
    });
    await t.clock.advance(t.sandbox.sim.timings.stoppingMs);
    const stopped = await state();
    expect(stopped.State?.Name).toBe('stopped');
    expect(stopped.StateReason).toEqual({
      Code: 'Client.UserInitiatedShutdown',
      Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
    });
    expect(stopped.StateTransitionReason).toMatch(/^User initiated \(2026-01-01 \d\d:\d\d:\d\d GMT\)$/);
    const start = await t.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(start.StartingInstances![0]).toMatchObject({
      PreviousState: { Name: 'stopped' },
      CurrentState: { Name: 'pending' },
    });
    await t.clock.advance(t.sandbox.sim.timings.pendingMs);
    expect((await state()).State?.Name).toBe('running');
    const term = await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(term.TerminatingInstances![0]).toMatchObject({
      PreviousState: { Name: 'running' },
      CurrentState: { Name: 'shutting-down' },
    });
    await t.clock.advance(t.sandbox.sim.timings.shuttingDownMs);
    expect((await state()).State?.Name).toBe('terminated');
    const again = await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances![0]!.CurrentState?.Name).toBe('terminated');
    expect((await errorOf(t.ec2.send(new StartInstancesCommand({ InstanceIds: [id] })))).name).toBe(
      'IncorrectInstanceState',
    );
    await t.clock.advance(t.sandbox.sim.timings.terminatedVisibleMs + 1);
    expect((await errorOf(t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).name).toBe(
      'InvalidInstanceID.NotFound',
    );
  });

  it('validates every id before acting on any', async () => {
    const id = (await run()).Instances![0]!.InstanceId!;
    const error = await errorOf(
      t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id, 'i-0123456789abcdef0'] })),
    );
    expect(error.name).toBe('InvalidInstanceID.NotFound');
    expect(t.sandbox.sim.instances()[0]!.state).toBe('pending');
    expect((await errorOf(t.ec2.send(new StopInstancesCommand({ InstanceIds: [] })))).name).toBe(
      'MissingParameter',
    );
  });

  it('deletes volumes on termination unless told to keep them', async () => {
    const id = (
      await run({
        BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 5, DeleteOnTermination: false } }],
      })
    ).Instances![0]!.InstanceId!;
    await t.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await t.clock.advance(t.sandbox.sim.timings.shuttingDownMs);
    const volumes = await t.ec2.send(new DescribeVolumesCommand({}));
    expect(volumes.Volumes?.map((v) => [v.Size, v.State, v.Attachments])).toEqual([[5, 'available', []]]);
  });
});
