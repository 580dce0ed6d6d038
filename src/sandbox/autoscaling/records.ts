/**
 * What the Sandbox's Auto Scaling remembers. Group instances are real Sandbox EC2 instances (RegionState's
 * InstanceRecords, launched through RunInstances); these records hold what only Auto Scaling knows about
 * them: which configuration launched them, their health, and whether the group is taking them out.
 */

/** How a group (or a refresh's desired configuration) names a launch template. */
export interface TemplateRef {
  launchTemplateId: string;
  launchTemplateName: string;
  /** As given: a number, `$Default` or `$Latest`. */
  version: string;
}

export interface MixedInstancesPolicy {
  template: TemplateRef;
  overrides: { instanceType?: string; weightedCapacity?: string; template?: TemplateRef; imageId?: string }[];
  /** Kept as given and handed back; the Sandbox launches On-Demand only. */
  distribution: Record<string, string>;
}

/** Exactly one of these is how a group launches. */
export type LaunchSource =
  | { kind: 'template'; template: TemplateRef }
  | { kind: 'mixed'; policy: MixedInstancesPolicy }
  | { kind: 'configuration'; name: string };

/** What one instance was launched from, resolved: template versions as numbers. */
export type LaunchedFrom =
  | { kind: 'template'; launchTemplateId: string; launchTemplateName: string; version: number }
  | { kind: 'configuration'; name: string };

export interface GroupInstance {
  instanceId: string;
  launchedAt: number;
  zone: string;
  instanceType: string;
  imageId: string;
  from: LaunchedFrom;
  health: 'Healthy' | 'Unhealthy';
  /** When its health was (or will be) first checked, after the grace period; Infinity once checked. */
  nextHealthCheckAt: number;
  /** When the group began taking it out (unhealthy, scale-in, replaced by a refresh, deleted). */
  terminatingAt?: number;
  /** The refresh (or rollback) whose configuration launched it. */
  launchedBy?: string;
  /** When that refresh counted it as healthy and warmed up. */
  readyAt?: number;
}

export interface GroupTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

export interface GroupRecord {
  name: string;
  arn: string;
  region: string;
  createdAt: number;
  source: LaunchSource;
  minSize: number;
  maxSize: number;
  desired: number;
  defaultCooldown: number;
  /** Seconds. */
  healthCheckGracePeriod: number;
  healthCheckType: string;
  defaultInstanceWarmup?: number;
  availabilityZones: string[];
  subnetIds: string[];
  tags: GroupTag[];
  terminationPolicies: string[];
  instances: Map<string, GroupInstance>;
  /** Instances that have left the group (terminated), newest last, for the views' history. */
  departed: GroupInstance[];
  /** Set by a forced delete: the group goes once its instances have. */
  deleting: boolean;
  /** After a failed launch, the next try is not before this. */
  nextLaunchAt: number;
  /** The last launch failure, for DescribeAutoScalingGroups' Status and the refresh's reason. */
  lastLaunchFailure?: string;
}

export const ACTIVE_REFRESH_STATUSES = [
  'Pending',
  'InProgress',
  'Cancelling',
  'RollbackInProgress',
  'Baking',
] as const;

export type RefreshStatus =
  | (typeof ACTIVE_REFRESH_STATUSES)[number]
  | 'Successful'
  | 'Failed'
  | 'Cancelled'
  | 'RollbackFailed'
  | 'RollbackSuccessful';

export interface RefreshPreferences {
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  /** Seconds; undefined means the group's DefaultInstanceWarmup, else its grace period. */
  instanceWarmup?: number;
  checkpointPercentages: number[];
  /** Seconds. */
  checkpointDelay: number;
  skipMatching: boolean;
  autoRollback: boolean;
  scaleInProtectedInstances: string;
  standbyInstances: string;
  /** Seconds. */
  bakeTime: number;
}

/** One pass of replacing instances: the refresh itself, or its rollback. */
export interface ReplacementPass {
  /** The instances to replace, fixed at the start of the pass. */
  toReplace: string[];
  /** Launches from this pass's configuration that failed their health check or failed to launch. */
  failures: number;
  /** Index into the checkpoints still ahead. */
  nextCheckpoint: number;
  pausedUntil?: number;
  bakingUntil?: number;
  percentage: number;
  /** Instances of `toReplace` not yet replaced by a healthy, warmed-up one. */
  toUpdate: number;
  /** Why the last launch or health check of this pass failed. */
  lastFailure?: string;
}

export interface RefreshRecord {
  id: string;
  group: string;
  region: string;
  status: RefreshStatus;
  statusReason?: string;
  startedAt: number;
  /** Pending → InProgress. */
  beginsAt: number;
  endedAt?: number;
  preferences: RefreshPreferences;
  /** As StartInstanceRefresh gave it (undefined: refresh onto the group's own configuration). */
  desired?: LaunchSource;
  /** The group's configuration when the refresh started: what a rollback returns to. */
  original: LaunchSource;
  /** The configuration this refresh launches, resolved at its start. */
  target: LaunchedFrom[];
  pass: ReplacementPass;
  rollback?: {
    reason: string;
    startedAt: number;
    /** The forward pass's percentage when the rollback began. */
    forwardPercentage: number;
    forwardToUpdate: number;
    target: LaunchedFrom[];
    pass: ReplacementPass;
  };
}

export interface LaunchConfigurationRecord {
  name: string;
  arn: string;
  createdAt: number;
  imageId: string;
  instanceType: string;
  keyName?: string;
  securityGroups: string[];
  userData?: string;
  iamInstanceProfile?: string;
  httpTokens?: 'optional' | 'required';
}
