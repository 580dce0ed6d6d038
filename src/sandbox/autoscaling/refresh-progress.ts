import type { SimulatorCore } from '../core';
import { terminateInstance } from '../ec2/instances';
import { findTemplate, resolveTemplateVersion } from '../ec2/launch-templates';
import { ec2At, isRunning, resolveSource } from './launch';
import {
  ACTIVE_REFRESH_STATUSES,
  type GroupInstance,
  type GroupRecord,
  type LaunchedFrom,
  type LaunchSource,
  type RefreshRecord,
  type ReplacementPass,
} from './records';
import type { AutoScalingRegion } from './world';

/**
 * How a refresh replaces instances (and how its rollback puts them back). At each moment it may take out
 * as many old instances as keep the group's healthy capacity at or above MinHealthyPercentage of the
 * desired capacity — at least one at a time when nothing is in flight, as AWS does — never more than the
 * next checkpoint allows. The group itself launches the replacements, from the refresh's configuration
 * (above the desired capacity first when MaxHealthyPercentage > 100). A replacement counts once it has
 * passed its health check and warmed up; REFRESH_FAILURE_LIMIT replacements that fail their health check
 * (or fail to launch) fail the refresh, which then rolls back when AutoRollback says so.
 */
export const REFRESH_FAILURE_LIMIT = 3;

export function isActive(refresh: RefreshRecord): boolean {
  return (ACTIVE_REFRESH_STATUSES as readonly string[]).includes(refresh.status);
}

export function activeRefresh(region: AutoScalingRegion, group: string): RefreshRecord | undefined {
  return region.refreshes.findLast((r) => r.group === group && isActive(r));
}

/** The pass now replacing instances, the key its launches carry, and the configuration it launches. */
export function currentPass(
  refresh: RefreshRecord,
): { pass: ReplacementPass; key: string; source: LaunchSource; target: LaunchedFrom[] } | undefined {
  if (refresh.status === 'RollbackInProgress' && refresh.rollback) {
    return {
      pass: refresh.rollback.pass,
      key: `${refresh.id}/rollback`,
      source: refresh.original,
      target: refresh.rollback.target,
    };
  }
  if (refresh.status === 'InProgress' || refresh.status === 'Baking') {
    return {
      pass: refresh.pass,
      key: refresh.id,
      source: refresh.desired ?? refresh.original,
      target: refresh.target,
    };
  }
  return undefined;
}

export function warmupMs(refresh: RefreshRecord, group: GroupRecord): number {
  return (
    (refresh.preferences.instanceWarmup ?? group.defaultInstanceWarmup ?? group.healthCheckGracePeriod) * 1000
  );
}

/** What a source launches, resolved now (template versions as numbers), for skip matching and rollback. */
export function resolveTargets(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  source: LaunchSource,
  at: number,
): LaunchedFrom[] {
  if (source.kind !== 'mixed') return [resolveSource(core, region, group, source, at).from];
  const ctx = ec2At(core, group.region, at);
  return [
    source.policy.template,
    ...source.policy.overrides.flatMap((o) => (o.template ? [o.template] : [])),
  ].map((ref) => {
    const template = findTemplate(ctx, ref.launchTemplateId, undefined);
    const version = resolveTemplateVersion(template, ref.version);
    return {
      kind: 'template',
      launchTemplateId: template.launchTemplateId,
      launchTemplateName: template.name,
      version: version.versionNumber,
    };
  });
}

export function matches(member: GroupInstance, targets: LaunchedFrom[], source: LaunchSource): boolean {
  const same = targets.some((t) =>
    t.kind === 'configuration'
      ? member.from.kind === 'configuration' && member.from.name === t.name
      : member.from.kind === 'template' &&
        member.from.launchTemplateId === t.launchTemplateId &&
        member.from.version === t.version,
  );
  if (!same || source.kind !== 'mixed') return same;
  const types = source.policy.overrides.flatMap((o) => (o.instanceType ? [o.instanceType] : []));
  return types.length === 0 || types.includes(member.instanceType);
}

/** Why AWS would refuse to roll this refresh back, or undefined when it can. */
export function rollbackBlocker(
  core: SimulatorCore,
  group: GroupRecord,
  refresh: { desired?: LaunchSource; original: LaunchSource },
): string | undefined {
  if (!refresh.desired) return 'There is no desired configuration specified for the instance refresh.';
  const original = refresh.original;
  if (original.kind === 'configuration') return undefined;
  const ref = original.kind === 'template' ? original.template : original.policy.template;
  if (ref.version === '$Latest' || ref.version === '$Default') {
    return "The Auto Scaling group uses the launch template's $Latest or $Default version.";
  }
  const ctx = ec2At(core, group.region, core.clock.now());
  try {
    const version = resolveTemplateVersion(findTemplate(ctx, ref.launchTemplateId, undefined), ref.version);
    if (version.data.imageId?.startsWith('resolve:ssm:')) {
      return 'The Auto Scaling group has a launch template that uses an AWS Systems Manager parameter instead of an AMI ID for the ImageId property.';
    }
  } catch {
    return 'The launch template the Auto Scaling group used before the refresh no longer exists.';
  }
  return undefined;
}

function live(group: GroupRecord): GroupInstance[] {
  return [...group.instances.values()].filter((i) => i.terminatingAt === undefined);
}

export function newPass(toReplace: string[]): ReplacementPass {
  return {
    toReplace,
    failures: 0,
    nextCheckpoint: 0,
    percentage: toReplace.length === 0 ? 100 : 0,
    toUpdate: toReplace.length,
  };
}

/** Which instances the refresh replaces: all it finds, less those already matching when SkipMatching. */
export function planForwardPass(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  refresh: RefreshRecord,
  at: number,
): void {
  const source = refresh.desired ?? refresh.original;
  refresh.target = resolveTargets(core, region, group, source, at);
  const toReplace = live(group)
    .filter((i) => !(refresh.preferences.skipMatching && matches(i, refresh.target, source)))
    .map((i) => i.instanceId);
  refresh.pass = newPass(toReplace);
}

export function startRollback(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  refresh: RefreshRecord,
  at: number,
  reason: string,
): void {
  const target = resolveTargets(core, region, group, refresh.original, at);
  const toReplace = live(group)
    .filter((i) => !matches(i, target, refresh.original))
    .map((i) => i.instanceId);
  refresh.rollback = {
    reason,
    startedAt: at,
    forwardPercentage: refresh.pass.percentage,
    forwardToUpdate: refresh.pass.toUpdate,
    target,
    pass: { ...newPass(toReplace), nextCheckpoint: Number.POSITIVE_INFINITY },
  };
  delete refresh.pass.pausedUntil;
  delete refresh.pass.bakingUntil;
  refresh.status = 'RollbackInProgress';
  refresh.statusReason = reason;
}

function finish(refresh: RefreshRecord, status: RefreshRecord['status'], at: number, reason?: string): void {
  refresh.status = status;
  refresh.endedAt = at;
  if (reason === undefined) delete refresh.statusReason;
  else refresh.statusReason = reason;
}

function terminateMember(core: SimulatorCore, group: GroupRecord, member: GroupInstance, at: number): void {
  member.terminatingAt = at;
  member.nextHealthCheckAt = Number.POSITIVE_INFINITY;
  const record = core.region(group.region).instances.get(member.instanceId);
  if (record) terminateInstance(record, at);
}

/** Moves the group's active refresh on at moment `at`; returns whether anything changed. */
export function stepRefresh(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  at: number,
): boolean {
  const refresh = activeRefresh(region, group.name);
  if (!refresh) return false;
  const ec2 = core.region(group.region).instances;
  if (refresh.status === 'Pending') {
    if (at < refresh.beginsAt) return false;
    planForwardPass(core, region, group, refresh, at);
    refresh.status = 'InProgress';
    delete refresh.statusReason;
    return true;
  }
  if (refresh.status === 'Cancelling') {
    const launching = live(group).some(
      (i) => i.launchedBy?.startsWith(refresh.id) && !isRunning(ec2.get(i.instanceId), at),
    );
    if (launching) return false;
    finish(refresh, 'Cancelled', at, 'Cancelled by user.');
    return true;
  }
  const current = currentPass(refresh);
  if (!current) return false;
  const { pass, key } = current;
  const rollingBack = refresh.status === 'RollbackInProgress';
  const members = live(group);
  const present = new Set(members.map((i) => i.instanceId));
  const oldLeft = pass.toReplace.filter((id) => present.has(id));
  const mine = members.filter((i) => i.launchedBy === key);
  const ready = mine.filter((i) => i.readyAt !== undefined);
  const notReady = mine.filter((i) => i.readyAt === undefined);
  const total = pass.toReplace.length;
  const takenOut = total - oldLeft.length;
  const completed = Math.min(ready.length, takenOut);
  const before = `${refresh.status}|${pass.percentage}|${pass.toUpdate}|${refresh.statusReason ?? ''}`;
  pass.percentage = total === 0 ? 100 : Math.floor((completed * 100) / total);
  pass.toUpdate = total - completed;

  if (pass.failures >= REFRESH_FAILURE_LIMIT) {
    const reason = `${pass.failures} instances launched by the ${rollingBack ? 'rollback' : 'instance refresh'} failed: ${pass.lastFailure ?? 'health checks failed'}.`;
    if (rollingBack) {
      finish(refresh, 'RollbackFailed', at, reason);
      return true;
    }
    if (refresh.preferences.autoRollback && !rollbackBlocker(core, group, refresh)) {
      startRollback(core, region, group, refresh, at, `Instance refresh failed: ${reason}`);
      return true;
    }
    finish(refresh, 'Failed', at, reason);
    return true;
  }
  if (refresh.status === 'Baking') {
    if (at < (pass.bakingUntil ?? at)) return false;
    succeed(group, refresh, at);
    return true;
  }
  if (pass.pausedUntil !== undefined) {
    if (at < pass.pausedUntil) return false;
    delete pass.pausedUntil;
    delete refresh.statusReason;
  }
  // Nothing in flight: every instance taken out has a healthy, warmed-up replacement.
  const settled = notReady.length === 0 && completed === takenOut && members.length >= group.desired;
  const checkpoints = refresh.preferences.checkpointPercentages;
  const checkpoint = rollingBack ? undefined : checkpoints[pass.nextCheckpoint];
  const atCheckpoint = checkpoint !== undefined && checkpoint < 100 && pass.percentage >= checkpoint;
  // A last checkpoint below 100 % ends the refresh there: "to replace all instances, end with 100".
  const lastCheckpoint = atCheckpoint && pass.nextCheckpoint === checkpoints.length - 1;
  if (settled && (oldLeft.length === 0 || lastCheckpoint)) {
    if (rollingBack) finish(refresh, 'RollbackSuccessful', at, refresh.rollback?.reason);
    else if (refresh.preferences.bakeTime > 0) {
      refresh.status = 'Baking';
      pass.bakingUntil = at + refresh.preferences.bakeTime * 1000;
      refresh.statusReason = `Waiting ${refresh.preferences.bakeTime} seconds of bake time before completing.`;
    } else succeed(group, refresh, at);
    return true;
  }
  if (settled && atCheckpoint) {
    pass.nextCheckpoint++;
    const delay = refresh.preferences.checkpointDelay;
    pass.pausedUntil = at + delay * 1000;
    refresh.statusReason = `Checkpoint ${checkpoint}% reached: waiting ${delay} seconds before continuing.`;
    return true;
  }
  // How many more old instances may go out of service now.
  const minHealthy = Math.ceil((group.desired * refresh.preferences.minHealthyPercentage) / 100);
  const healthy = members.filter(
    (i) =>
      i.health === 'Healthy' &&
      isRunning(ec2.get(i.instanceId), at) &&
      (i.launchedBy !== key || i.readyAt !== undefined),
  ).length;
  const inFlight = takenOut - completed;
  let batch =
    healthy - minHealthy > 0 ? healthy - minHealthy : inFlight === 0 && notReady.length === 0 ? 1 : 0;
  if (checkpoint !== undefined && checkpoint < 100) {
    batch = Math.min(batch, Math.ceil((total * checkpoint) / 100) - takenOut);
  }
  batch = Math.min(batch, oldLeft.length);
  let changed = false;
  if (batch > 0) {
    const order = oldLeft
      .map((id) => group.instances.get(id)!)
      .sort(
        (a, b) =>
          Number(isRunning(ec2.get(a.instanceId), at)) - Number(isRunning(ec2.get(b.instanceId), at)) ||
          a.launchedAt - b.launchedAt,
      );
    for (const member of order.slice(0, batch)) terminateMember(core, group, member, at);
    changed = true;
  }
  const warming = notReady.find((i) => isRunning(ec2.get(i.instanceId), at));
  if (warming) {
    refresh.statusReason = `Waiting for instances to warm up before continuing. For example: ${warming.instanceId} is warming up.`;
  } else if (notReady.length > 0) {
    refresh.statusReason = `Waiting for new instances to launch. For example: ${notReady[0]!.instanceId} is pending.`;
  } else if (rollingBack) refresh.statusReason = refresh.rollback?.reason;
  else delete refresh.statusReason;
  const after = `${refresh.status}|${pass.percentage}|${pass.toUpdate}|${refresh.statusReason ?? ''}`;
  return changed || before !== after;
}

function succeed(group: GroupRecord, refresh: RefreshRecord, at: number): void {
  if (refresh.desired) group.source = refresh.desired;
  refresh.pass.percentage = 100;
  refresh.pass.toUpdate = 0;
  finish(refresh, 'Successful', at);
}

export { terminateMember };
