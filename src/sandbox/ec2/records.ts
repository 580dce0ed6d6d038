import type { ConsoleLine } from '../boot/console-lines';
import type { Architecture, Distro } from '../catalogue/base-images';
import type { SubnetInfo } from '../catalogue/network';
import type { ImageOutcome } from '../scenario';
import type { ProgressCurve } from '../timing/progress';
import type { DiskNode } from '../vm/disk-store';
import type { VmBoot } from '../vm/image';
import type { VmInstance } from '../vm/vm-instance';

/** What the sandbox remembers about EC2 resources. States are not stored but computed from `at` times. */
export type InstanceStateName =
  'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface StateReason {
  code: string;
  message: string;
}

export interface Transition {
  at: number;
  state: InstanceStateName;
  reason?: StateReason;
  /** EC2's free-text `StateTransitionReason` (`User initiated (2024-10-10 12:00:00 GMT)`). */
  transitionReason: string;
}

export type Tags = Map<string, string>;

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  region: string;
  imageId: string;
  instanceType: string;
  architecture: Architecture;
  distro: Distro;
  launchTime: number;
  launchIndex: number;
  subnet: SubnetInfo;
  vpcId: string;
  privateIp: string;
  securityGroups: { groupId: string; groupName: string }[];
  keyName?: string;
  iamInstanceProfile?: { arn: string; id: string };
  shutdownBehavior: 'stop' | 'terminate';
  httpTokens: 'optional' | 'required';
  clientToken?: string;
  userData: Buffer;
  rootDeviceName: string;
  bootMode: string;
  devices: { deviceName: string; volumeId: string; deleteOnTermination: boolean }[];
  tags: Tags;
  transitions: Transition[];
  console: ConsoleLine[];
  /** Moments the non-Latest console output was refreshed (state transitions and reboots). */
  consoleRefreshes: number[];
  script: { wrapped: boolean; nonce?: string; doneAt: number | null; exitCode: number | null };
  /**
   * Per-instance durations (the launch timeline, else the sandbox timings), and the image outcome if the
   * launch timeline fixed one (otherwise the scenario at CreateImage time decides).
   */
  timing: {
    pendingMs: number;
    stoppingMs: number;
    shuttingDownMs: number;
    imageMs: number;
    /** CreateImage → its snapshots complete, when the launch timeline set it apart from the image. */
    snapshotMs?: number;
    progress?: ProgressCurve;
    image?: ImageOutcome;
  };
  /** Set when the instance is a real VM (VM mode): its state then follows QEMU, not a plan. */
  vm?: VmInstance;
}

export interface ImageDevice {
  deviceName: string;
  snapshotId?: string;
  volumeSize: number;
  volumeType: string;
  deleteOnTermination: boolean;
  /** Encrypted snapshots carry the ARN of the KMS key they are encrypted with. */
  encrypted?: boolean;
  kmsKeyId?: string;
}

/** Who besides the owner may launch an image (`isPublic` is the `all` group). */
export interface LaunchPermissions {
  userIds: Set<string>;
  organizationArns: Set<string>;
  organizationalUnitArns: Set<string>;
}

export interface ImageRecord {
  imageId: string;
  region: string;
  name: string;
  description?: string;
  ownerId: string;
  ownerAlias?: string;
  isPublic: boolean;
  architecture: Architecture;
  distro: Distro;
  rootDeviceName: string;
  bootMode: string;
  devices: ImageDevice[];
  createdAt: number;
  /** When it leaves `pending`, to `outcome`. */
  readyAt: number;
  outcome: ImageOutcome;
  tags: Tags;
  sourceInstanceId?: string;
  /** Whether the source instance's script had printed its done marker when CreateImage was called. */
  scriptCompleteAtCapture?: boolean;
  publicSsmParameterName?: string;
  /** A VM image (VM mode): instances boot `root` (a real disk file) the way `boot` says. */
  vm?: { root: DiskNode; boot: VmBoot };
  launchPermissions?: LaunchPermissions;
  /** EnableImageDeprecation's time (rounded to the minute). */
  deprecationTime?: number;
  /** DisableImage: hidden from DescribeImages unless asked for, not launchable, not shareable. */
  disabledAt?: number;
  /** A copy's source (CopyImage). */
  sourceImageId?: string;
  sourceImageRegion?: string;
  /** Why it failed, when `outcome` is failed and the reason is not the default internal error. */
  failureReason?: StateReason;
}

export interface SnapshotRecord {
  snapshotId: string;
  region: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  startTime: number;
  /** When it leaves `pending` (100 %): with its image, or before or after it (launch timelines). */
  readyAt: number;
  /** How its reported progress grows until then (linear unless a launch timeline says otherwise). */
  progress: ProgressCurve;
  outcome: 'completed' | 'error';
  tags: Tags;
  /** A VM snapshot: its disk file (once copied); `released` once DeleteSnapshot has let it go. */
  vm?: { disk?: DiskNode; released: boolean };
  encrypted?: boolean;
  kmsKeyId?: string;
  /** Accounts that may create volumes from it (ModifySnapshotAttribute createVolumePermission). */
  createVolumeUserIds?: Set<string>;
}

export interface VolumeRecord {
  volumeId: string;
  region: string;
  size: number;
  volumeType: string;
  iops?: number;
  throughput?: number;
  snapshotId?: string;
  zoneName: string;
  zoneId: string;
  createTime: number;
  instanceId: string;
  deviceName: string;
  deleteOnTermination: boolean;
  tags: Tags;
  encrypted?: boolean;
  kmsKeyId?: string;
}
