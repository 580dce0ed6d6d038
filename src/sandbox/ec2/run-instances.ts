import { z } from 'zod';
import { planLaunch } from '../boot/launch-plan';
import { resolveReferences } from '../boot/resolve-references';
import { findInstanceType, consoleRefreshAt } from '../catalogue/instance-types';
import { SandboxError } from '../wire/errors';
import { missing, parseParams, qInt, type QueryTree } from '../wire/query';
import type { XmlValue } from '../wire/xml';
import type { Ec2Context, Ec2Handler } from './context';
import { chooseKey, KMS_LAUNCH_FAILURE } from './encryption';
import { checkIdFormat, invalidValue, notFound } from './errors';
import { imageState } from './images';
import { instanceXml } from './instance-xml';
import { INSTANCE_SHUTDOWN, PENDING_REASON } from './lifecycle';
import { BlockDeviceMappingListSchema, TagSpecificationListSchema } from './params';
import { resolveDevices } from './launch-devices';
import type { InstanceRecord, Transition } from './records';
import { tagsFor } from './tags';
import { launchVm, vmLaunchPlan } from './vm-instances';

const USER_DATA_LIMIT = 16 * 1024;
const INSTANCE_LIMIT = 20;
/** What EC2 launches when InstanceType is omitted. */
const DEFAULT_INSTANCE_TYPE = 'm1.small';
const RUN_TAGGABLE = ['instance', 'volume', 'network-interface', 'spot-instances-request'];

const RunInstancesSchema = z.object({
  ImageId: z.string().optional(),
  InstanceType: z.string().optional(),
  MinCount: qInt.optional(),
  MaxCount: qInt.optional(),
  UserData: z.string().optional(),
  SubnetId: z.string().optional(),
  SecurityGroupId: z.array(z.string()).optional(),
  SecurityGroup: z.array(z.string()).optional(),
  IamInstanceProfile: z.object({ Name: z.string().optional(), Arn: z.string().optional() }).optional(),
  KeyName: z.string().optional(),
  BlockDeviceMapping: BlockDeviceMappingListSchema,
  InstanceInitiatedShutdownBehavior: z.enum(['stop', 'terminate']).optional(),
  MetadataOptions: z.object({ HttpTokens: z.enum(['optional', 'required']).optional() }).optional(),
  TagSpecification: TagSpecificationListSchema,
  ClientToken: z.string().max(64).optional(),
});
type RunParams = z.output<typeof RunInstancesSchema>;

export const runInstances: Ec2Handler = (ctx, tree) => {
  const p = parseParams(RunInstancesSchema, tree);
  if (p.ClientToken) {
    const previous = ctx.region.clientTokens.get(p.ClientToken);
    if (previous) return replay(ctx, previous, fingerprint(tree));
  }
  const image = findImage(ctx, p.ImageId ?? missing('ImageId'));
  const min = p.MinCount ?? missing('MinCount');
  const max = p.MaxCount ?? missing('MaxCount');
  if (min < 1 || max < min) {
    throw invalidValue(
      `Invalid MinCount/MaxCount: ${min}/${max} (MinCount must be at least 1 and at most MaxCount)`,
    );
  }
  if (min > INSTANCE_LIMIT) {
    throw new SandboxError(
      'InstanceLimitExceeded',
      `You have requested more instances (${min}) than your current instance limit of ${INSTANCE_LIMIT} allows.`,
    );
  }
  const typeName = p.InstanceType ?? DEFAULT_INSTANCE_TYPE;
  const type = findInstanceType(typeName);
  if (!type) {
    const hint = p.InstanceType
      ? ''
      : ' (EC2 launches m1.small when InstanceType is omitted; the sandbox does not offer it)';
    throw invalidValue(`Invalid value '${typeName}' for InstanceType.${hint}`);
  }
  if (type.architecture !== image.architecture) {
    throw invalidValue(
      `The architecture '${type.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
    );
  }
  const userData = decodeUserData(p.UserData);
  const network = placement(ctx, p);
  const devices = resolveDevices(image, p.BlockDeviceMapping);
  // Encrypted volumes are made with their key as the instance starts: a key that is missing or not enabled
  // fails the launch after RunInstances has answered, as on EC2 (pending, then terminated).
  const keys = devices.map((d) => (d.encrypted ? chooseKey(ctx.kms, d.kmsKeyId, undefined) : undefined));
  const kmsProblem = keys.some((k) => k !== undefined && !k.usable);
  const instanceTags = tagsFor(p.TagSpecification, 'instance', RUN_TAGGABLE);
  const volumeTags = tagsFor(p.TagSpecification, 'volume', RUN_TAGGABLE);
  const reservationId = ctx.ids.next('r');
  const count = Math.min(max, INSTANCE_LIMIT);
  const instances: InstanceRecord[] = [];
  for (let launchIndex = 0; launchIndex < count; launchIndex++) {
    const timeline = ctx.nextTimeline();
    const instanceId = ctx.ids.next('i');
    const privateIp = ctx.region.privateIpIn(network.subnet.thirdOctet);
    const timing = {
      pendingMs: timeline?.runningAfterMs ?? ctx.timings.pendingMs,
      stoppingMs: timeline?.stoppingMs ?? ctx.timings.stoppingMs,
      shuttingDownMs: timeline?.terminateMs ?? ctx.timings.shuttingDownMs,
      imageMs: timeline?.imageMs ?? ctx.timings.imagePendingMs,
      ...(timeline?.snapshotMs !== undefined ? { snapshotMs: timeline.snapshotMs } : {}),
      ...(timeline?.progress ? { progress: timeline.progress } : {}),
      ...(timeline?.image ? { image: timeline.image } : {}),
    };
    const shutdownBehavior = p.InstanceInitiatedShutdownBehavior ?? 'stop';
    const outcome = timeline?.outcome ?? ctx.scenario.outcome;
    const scriptMs = timeline?.scriptMs ?? ctx.scenario.scriptMs;
    const plan = image.vm
      ? vmLaunchPlan(ctx.now, userData)
      : planLaunch({
          at: ctx.now,
          machine: {
            instanceId,
            distro: image.distro,
            architecture: image.architecture,
            privateIp,
            region: ctx.region.region,
          },
          userData,
          shutdownBehavior,
          ...ctx.timings,
          pendingMs: timing.pendingMs,
          stoppingMs: timing.stoppingMs,
          shuttingDownMs: timing.shuttingDownMs,
          ...(outcome !== undefined ? { outcome } : {}),
          ...(scriptMs !== undefined ? { scriptMs } : {}),
          resolve: (refs) => resolveReferences(refs, network.profile?.arn, instanceId, ctx.references),
        });
    const transitions: Transition[] = kmsProblem
      ? [
          { at: ctx.now, state: 'pending', reason: PENDING_REASON, transitionReason: '' },
          {
            at: ctx.now + timing.pendingMs,
            state: 'terminated',
            reason: KMS_LAUNCH_FAILURE,
            transitionReason: KMS_LAUNCH_FAILURE.message,
          },
        ]
      : plan.transitions.map((t) => ({
          at: t.at,
          state: t.state,
          ...(t.state === 'pending' ? { reason: PENDING_REASON } : {}),
          ...(t.instanceInitiated ? { reason: INSTANCE_SHUTDOWN } : {}),
          transitionReason: t.instanceInitiated ? INSTANCE_SHUTDOWN.message : '',
        }));
    const instance: InstanceRecord = {
      instanceId,
      reservationId,
      region: ctx.region.region,
      imageId: image.imageId,
      instanceType: type.name,
      architecture: image.architecture,
      distro: image.distro,
      launchTime: ctx.now,
      launchIndex,
      subnet: network.subnet,
      vpcId: ctx.region.network.vpcId,
      privateIp,
      securityGroups: network.groups,
      ...(p.KeyName ? { keyName: p.KeyName } : {}),
      ...(network.profile ? { iamInstanceProfile: network.profile } : {}),
      shutdownBehavior,
      httpTokens: p.MetadataOptions?.HttpTokens ?? 'required',
      ...(p.ClientToken ? { clientToken: p.ClientToken } : {}),
      userData,
      rootDeviceName: image.rootDeviceName,
      bootMode: image.bootMode,
      devices: [],
      tags: new Map(instanceTags),
      transitions,
      console: kmsProblem ? [] : plan.console,
      consoleRefreshes: transitions.map((t) => consoleRefreshAt(type.name, t.at)),
      script: kmsProblem ? { ...plan.script, doneAt: null, exitCode: null } : plan.script,
      timing,
    };
    for (const [index, device] of devices.entries()) {
      if (kmsProblem) break;
      const key = keys[index];
      const volumeId = ctx.ids.next('vol');
      instance.devices.push({
        deviceName: device.deviceName,
        volumeId,
        deleteOnTermination: device.deleteOnTermination,
      });
      ctx.region.volumes.set(volumeId, {
        volumeId,
        region: ctx.region.region,
        size: device.volumeSize,
        volumeType: device.volumeType,
        ...(device.iops !== undefined ? { iops: device.iops } : {}),
        ...(device.throughput !== undefined ? { throughput: device.throughput } : {}),
        ...(device.snapshotId ? { snapshotId: device.snapshotId } : {}),
        zoneName: network.subnet.zone.name,
        zoneId: network.subnet.zone.id,
        createTime: ctx.now,
        instanceId,
        deviceName: device.deviceName,
        deleteOnTermination: device.deleteOnTermination,
        tags: new Map(volumeTags),
        ...(key ? { encrypted: true, kmsKeyId: key.id } : {}),
      });
    }
    ctx.region.instances.set(instanceId, instance);
    instances.push(instance);
    // A launch that failed on its volumes' key boots nothing.
    if (image.vm && !kmsProblem) {
      const root = devices.find((d) => d.deviceName === image.rootDeviceName);
      launchVm(ctx, instance, image, type, root?.volumeSize ?? 8);
    }
  }
  if (p.ClientToken) {
    ctx.region.clientTokens.set(p.ClientToken, {
      fingerprint: fingerprint(tree),
      instanceIds: instances.map((i) => i.instanceId),
    });
  }
  return reservationXml(ctx, instances);
};

function findImage(ctx: Ec2Context, imageId: string) {
  checkIdFormat('image', imageId);
  const image = ctx.region.images.get(imageId);
  if (!image) throw notFound('image', [imageId]);
  const state = imageState(image, ctx.now);
  if (state !== 'available') {
    throw new SandboxError(
      'InvalidAMIID.Unavailable',
      `The image id '[${imageId}]' is not available (state: ${state})`,
    );
  }
  return image;
}

function decodeUserData(encoded: string | undefined): Buffer {
  if (encoded === undefined) return Buffer.alloc(0);
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    throw invalidValue('Invalid BASE64 encoding of user data.');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > USER_DATA_LIMIT) throw invalidValue(`User data is limited to ${USER_DATA_LIMIT} bytes`);
  return bytes;
}

function placement(ctx: Ec2Context, p: RunParams) {
  const network = ctx.region.network;
  if (p.SecurityGroup?.length && p.SubnetId) {
    throw new SandboxError(
      'InvalidParameterCombination',
      'The parameter groupName cannot be used with the parameter subnet',
    );
  }
  const subnet = p.SubnetId ? network.subnets.find((s) => s.subnetId === p.SubnetId) : network.subnets[0]!;
  if (!subnet)
    throw new SandboxError('InvalidSubnetID.NotFound', `The subnet ID '${p.SubnetId}' does not exist`);
  const sg = network.securityGroup;
  for (const id of p.SecurityGroupId ?? []) {
    if (id !== sg.groupId)
      throw new SandboxError(
        'InvalidGroup.NotFound',
        `The security group '${id}' does not exist in VPC '${network.vpcId}'`,
      );
  }
  for (const name of p.SecurityGroup ?? []) {
    if (name !== sg.groupName) {
      throw new SandboxError(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in default VPC '${network.vpcId}'`,
      );
    }
  }
  if (p.KeyName !== undefined && p.KeyName !== network.keyPair.keyName) {
    throw new SandboxError('InvalidKeyPair.NotFound', `The key pair '${p.KeyName}' does not exist`);
  }
  return {
    subnet,
    groups: [{ groupId: sg.groupId, groupName: sg.groupName }],
    profile: instanceProfile(ctx, p),
  };
}

function instanceProfile(ctx: Ec2Context, p: RunParams): { arn: string; id: string } | undefined {
  const profile = p.IamInstanceProfile;
  if (!profile?.Name && !profile?.Arn) return undefined;
  if (profile.Arn && !/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]+$/.test(profile.Arn)) {
    throw invalidValue(`Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid ARN`);
  }
  // EC2 checks the profile exists (IAM is eventually consistent on AWS; the Sandbox is not).
  if (!ctx.instanceProfileExists(profile.Arn ?? profile.Name!))
    throw invalidValue(
      profile.Arn
        ? `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`
        : `Value (${profile.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  const arn = profile.Arn ?? `arn:aws:iam::${ctx.accountId}:instance-profile/${profile.Name}`;
  return { arn, id: `AIPA${ctx.ids.token('instance-profile', 17)}` };
}

function fingerprint(tree: QueryTree): string {
  const { ClientToken: _token, DryRun: _dryRun, ...rest } = tree;
  return JSON.stringify(rest);
}

/** Same ClientToken: the same reservation again, never a second launch (or a mismatch error). */
function replay(ctx: Ec2Context, previous: { fingerprint: string; instanceIds: string[] }, now: string) {
  if (previous.fingerprint !== now) {
    throw new SandboxError(
      'IdempotentParameterMismatch',
      'The client token you have provided is associated with a resource that is already launched with different parameters.',
    );
  }
  const instances = previous.instanceIds
    .map((id) => ctx.region.instances.get(id))
    .filter((i) => i !== undefined);
  return reservationXml(ctx, instances);
}

function reservationXml(ctx: Ec2Context, instances: InstanceRecord[]): { [key: string]: XmlValue } {
  return {
    reservationId: instances[0]?.reservationId,
    ownerId: ctx.accountId,
    groupSet: [],
    instancesSet: instances.map((i) => instanceXml(i, ctx.now, ctx.region.volumes)),
  };
}
