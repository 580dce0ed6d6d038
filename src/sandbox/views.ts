import { imageState } from './ec2/images';
import { stateAt, transitionAt } from './ec2/lifecycle';
import type {
  ImageRecord,
  InstanceRecord,
  InstanceStateName,
  SnapshotRecord,
  StateReason,
  Tags,
  VolumeRecord,
} from './ec2/records';
import type { RegionState } from './ec2/region-state';
import { snapshotState, volumeStatus } from './ec2/snapshots';

/** Plain-object snapshots of simulated resources, as they are at the given moment (for tests and the UI). */
export interface InstanceView {
  instanceId: string;
  region: string;
  state: InstanceStateName;
  stateReason?: StateReason;
  stateTransitionReason: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  launchTime: number;
  availabilityZone: string;
  subnetId: string;
  privateIpAddress: string;
  shutdownBehavior: 'stop' | 'terminate';
  httpTokens: 'optional' | 'required';
  keyName?: string;
  iamInstanceProfileArn?: string;
  clientToken?: string;
  userDataBytes: number;
  tags: Record<string, string>;
  volumeIds: string[];
  /** The wrapped script's progress: `completedAt` is when its done marker was (or will be) printed. */
  script: {
    wrapped: boolean;
    nonce?: string;
    completedAt: number | null;
    exitCode: number | null;
    complete: boolean;
  };
}

export interface ImageView {
  imageId: string;
  region: string;
  name: string;
  description?: string;
  ownerId: string;
  state: 'pending' | 'available' | 'failed' | 'disabled';
  architecture: string;
  creationTime: number;
  sourceInstanceId?: string;
  /** Whether the builder's script had finished when CreateImage was called (benchmarks count the misses). */
  scriptCompleteAtCapture?: boolean;
  snapshotIds: string[];
  tags: Record<string, string>;
  /** Whether every snapshot is encrypted, and with which keys (ARNs). */
  encrypted: boolean;
  kmsKeyIds: string[];
  launchPermissions: {
    public: boolean;
    userIds: string[];
    organizationArns: string[];
    organizationalUnitArns: string[];
  };
  deprecationTime?: number;
  sourceImageId?: string;
  sourceImageRegion?: string;
  stateReason?: StateReason;
}

export interface SnapshotView {
  snapshotId: string;
  region: string;
  volumeId: string;
  state: string;
  volumeSize: number;
  description: string;
  tags: Record<string, string>;
  encrypted: boolean;
  kmsKeyId?: string;
  createVolumeUserIds: string[];
}

export interface VolumeView {
  volumeId: string;
  region: string;
  size: number;
  volumeType: string;
  /** `in-use`, `available` (kept after its instance was terminated) or `deleted`. */
  state: string;
  instanceId: string;
  deviceName: string;
  deleteOnTermination: boolean;
  tags: Record<string, string>;
  encrypted: boolean;
  kmsKeyId?: string;
}

const plain = (tags: Tags) => Object.fromEntries(tags);

export function instanceView(i: InstanceRecord, now: number): InstanceView {
  const transition = transitionAt(i, now);
  const completedAt = i.script.doneAt;
  return {
    instanceId: i.instanceId,
    region: i.region,
    state: stateAt(i, now),
    ...(transition.reason ? { stateReason: { ...transition.reason } } : {}),
    stateTransitionReason: transition.transitionReason,
    imageId: i.imageId,
    instanceType: i.instanceType,
    architecture: i.architecture,
    launchTime: i.launchTime,
    availabilityZone: i.subnet.zone.name,
    subnetId: i.subnet.subnetId,
    privateIpAddress: i.privateIp,
    shutdownBehavior: i.shutdownBehavior,
    httpTokens: i.httpTokens,
    ...(i.keyName ? { keyName: i.keyName } : {}),
    ...(i.iamInstanceProfile ? { iamInstanceProfileArn: i.iamInstanceProfile.arn } : {}),
    ...(i.clientToken ? { clientToken: i.clientToken } : {}),
    userDataBytes: i.userData.length,
    tags: plain(i.tags),
    volumeIds: i.devices.map((d) => d.volumeId),
    script: {
      wrapped: i.script.wrapped,
      ...(i.script.nonce ? { nonce: i.script.nonce } : {}),
      completedAt,
      exitCode: completedAt !== null && completedAt <= now ? i.script.exitCode : null,
      complete: completedAt !== null && completedAt <= now,
    },
  };
}

export function imageView(i: ImageRecord, now: number): ImageView {
  return {
    imageId: i.imageId,
    region: i.region,
    name: i.name,
    ...(i.description !== undefined ? { description: i.description } : {}),
    ownerId: i.ownerId,
    state: imageState(i, now),
    architecture: i.architecture,
    creationTime: i.createdAt,
    ...(i.sourceInstanceId ? { sourceInstanceId: i.sourceInstanceId } : {}),
    ...(i.scriptCompleteAtCapture !== undefined
      ? { scriptCompleteAtCapture: i.scriptCompleteAtCapture }
      : {}),
    snapshotIds: i.devices.flatMap((d) => (d.snapshotId ? [d.snapshotId] : [])),
    tags: plain(i.tags),
    encrypted: i.devices.length > 0 && i.devices.every((d) => d.encrypted === true),
    kmsKeyIds: [...new Set(i.devices.flatMap((d) => (d.kmsKeyId ? [d.kmsKeyId] : [])))],
    launchPermissions: {
      public: i.isPublic,
      userIds: [...(i.launchPermissions?.userIds ?? [])],
      organizationArns: [...(i.launchPermissions?.organizationArns ?? [])],
      organizationalUnitArns: [...(i.launchPermissions?.organizationalUnitArns ?? [])],
    },
    ...(i.deprecationTime !== undefined ? { deprecationTime: i.deprecationTime } : {}),
    ...(i.sourceImageId ? { sourceImageId: i.sourceImageId } : {}),
    ...(i.sourceImageRegion ? { sourceImageRegion: i.sourceImageRegion } : {}),
    ...(imageState(i, now) === 'failed' && i.failureReason ? { stateReason: { ...i.failureReason } } : {}),
  };
}

export function snapshotView(s: SnapshotRecord, now: number): SnapshotView {
  return {
    snapshotId: s.snapshotId,
    region: s.region,
    volumeId: s.volumeId,
    state: snapshotState(s, now).state,
    volumeSize: s.volumeSize,
    description: s.description,
    tags: plain(s.tags),
    encrypted: s.encrypted === true,
    ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
    createVolumeUserIds: [...(s.createVolumeUserIds ?? [])],
  };
}

export function volumeView(v: VolumeRecord, region: RegionState, now: number): VolumeView {
  return {
    volumeId: v.volumeId,
    region: v.region,
    size: v.size,
    volumeType: v.volumeType,
    state: volumeStatus(region, now, v).status,
    instanceId: v.instanceId,
    deviceName: v.deviceName,
    deleteOnTermination: v.deleteOnTermination,
    tags: plain(v.tags),
    encrypted: v.encrypted === true,
    ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}),
  };
}
