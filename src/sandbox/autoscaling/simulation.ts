import type { SimulatorCore } from '../core';
import { stateAt, terminatedAt } from '../ec2/lifecycle';
import { SandboxError } from '../wire/errors';
import { inServiceAt, isRunning, launchInstance, wentDownAt } from './launch';
import type { GroupInstance, GroupRecord } from './records';
import {
  activeRefresh,
  currentPass,
  matches,
  stepRefresh,
  terminateMember,
  warmupMs,
} from './refresh-progress';
import type { AutoScalingRegion } from './world';

/** After a failed launch the group tries again this much later (AWS backs off similarly, in seconds). */
const LAUNCH_RETRY_MS = 10_000;
/** No moment needs more rounds than this to settle; more means a bug, not a busy group. */
const MAX_ROUNDS = 200;
/** How many departed instances a group remembers for the views. */
const DEPARTED_LIMIT = 1_000;

/**
 * Plays a region's Auto Scaling events in time order up to `to`: each step jumps to the earliest moment
 * something is due (an instance running, a health check, a warmup ending, a termination completing, a
 * checkpoint or bake time ending, a launch retry) and settles every group at exactly that moment.
 */
export function advance(core: SimulatorCore, region: AutoScalingRegion, to: number): void {
  for (;;) {
    const at = nextEventAt(core, region);
    if (at > to) break;
    region.settledAt = at;
    for (const group of [...region.groups.values()]) settleGroup(core, region, group, at);
  }
  region.settledAt = Math.max(region.settledAt, to);
}

/** Everything that follows from the group's state at moment `at`, until nothing more does. */
export function settleGroup(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  at: number,
): void {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = dropTerminated(core, region, group, at);
    if (!region.groups.has(group.name)) return;
    changed = checkHealth(core, region, group, at) || changed;
    changed = markReady(core, region, group, at) || changed;
    changed = stepRefresh(core, region, group, at) || changed;
    changed = reconcile(core, region, group, at) || changed;
    if (!changed) return;
  }
  throw new SandboxError('InternalFailure', `Auto Scaling group ${group.name} did not settle at ${at}.`);
}

function ec2Of(core: SimulatorCore, group: GroupRecord, member: GroupInstance) {
  return core.region(group.region).instances.get(member.instanceId);
}

function dropTerminated(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  at: number,
): boolean {
  let changed = false;
  for (const member of [...group.instances.values()]) {
    if (member.terminatingAt === undefined) continue;
    const record = ec2Of(core, group, member);
    if (record && stateAt(record, at) !== 'terminated') continue;
    group.instances.delete(member.instanceId);
    group.departed.push(member);
    if (group.departed.length > DEPARTED_LIMIT)
      group.departed.splice(0, group.departed.length - DEPARTED_LIMIT);
    changed = true;
  }
  if (group.deleting && group.instances.size === 0) {
    region.groups.delete(group.name);
    return true;
  }
  return changed;
}

/** The first check after the grace period, and any instance that went down behind the group's back. */
function checkHealth(
  core: SimulatorCore,
  region: AutoScalingRegion,
  group: GroupRecord,
  at: number,
): boolean {
  let changed = false;
  const healthCheckMs = core.timings.healthCheckMs;
  for (const member of group.instances.values()) {
    if (member.terminatingAt !== undefined) continue;
    const record = ec2Of(core, group, member);
    const down = wentDownAt(record);
    let failure: string | undefined;
    if (!record || (down !== undefined && down + healthCheckMs <= at)) {
      failure = `Instance ${member.instanceId} is no longer running.`;
    } else if (member.nextHealthCheckAt <= at) {
      const world = core.autoScaling;
      if (
        isRunning(record, at) &&
        !world.unhealthyImages.has(member.imageId) &&
        !world.markedUnhealthy.has(member.instanceId)
      ) {
        member.nextHealthCheckAt = Number.POSITIVE_INFINITY;
        changed = true;
        continue;
      }
      failure = `Instance ${member.instanceId} (${member.imageId}) failed its ${group.healthCheckType} health check.`;
    } else continue;
    member.health = 'Unhealthy';
    terminateMember(core, group, member, at);
    const refresh = activeRefresh(region, group.name);
    const current = refresh && currentPass(refresh);
    if (current && member.launchedBy === current.key) {
      current.pass.failures++;
      current.pass.lastFailure = failure;
    }
    changed = true;
  }
  return changed;
}

/** A refresh's new instance counts once it has passed its health check and its warmup has passed. */
function markReady(core: SimulatorCore, region: AutoScalingRegion, group: GroupRecord, at: number): boolean {
  const refresh = activeRefresh(region, group.name);
  const current = refresh && currentPass(refresh);
  if (!refresh || !current) return false;
  let changed = false;
  for (const member of group.instances.values()) {
    if (
      member.launchedBy !== current.key ||
      member.readyAt !== undefined ||
      member.terminatingAt !== undefined
    )
      continue;
    const running = inServiceAt(ec2Of(core, group, member));
    if (member.nextHealthCheckAt !== Number.POSITIVE_INFINITY || running === undefined) continue;
    if (at < running + warmupMs(refresh, group)) continue;
    member.readyAt = at;
    changed = true;
  }
  return changed;
}

/** Keeps the desired capacity (plus a refresh's headroom), launching from the configuration in force. */
function reconcile(core: SimulatorCore, region: AutoScalingRegion, group: GroupRecord, at: number): boolean {
  if (group.deleting) return false;
  const members = [...group.instances.values()].filter((i) => i.terminatingAt === undefined);
  const refresh = activeRefresh(region, group.name);
  const current = refresh && currentPass(refresh);
  let target = group.desired;
  if (refresh && current && refresh.status !== 'Baking') {
    const present = new Set(members.map((i) => i.instanceId));
    const oldLeft = current.pass.toReplace.filter((id) => present.has(id)).length;
    const ceiling = Math.floor((group.desired * refresh.preferences.maxHealthyPercentage) / 100);
    target += Math.max(0, Math.min(ceiling - group.desired, oldLeft));
  }
  if (members.length > target) {
    const source = current?.source ?? group.source;
    const targets = current?.target ?? [];
    const victims = members.sort(
      (a, b) =>
        Number(a.health === 'Healthy') - Number(b.health === 'Healthy') ||
        Number(matches(a, targets, source)) - Number(matches(b, targets, source)) ||
        a.launchedAt - b.launchedAt,
    );
    for (const member of victims.slice(0, members.length - target)) terminateMember(core, group, member, at);
    return true;
  }
  if (members.length === target || at < group.nextLaunchAt) return false;
  const source = current?.source ?? group.source;
  for (let n = members.length; n < target; n++) {
    try {
      const { instance, member } = launchInstance(core, region, group, source, at);
      const running = inServiceAt(instance) ?? at;
      group.instances.set(member.instanceId, {
        ...member,
        nextHealthCheckAt:
          running + Math.max(group.healthCheckGracePeriod * 1000, core.timings.healthCheckMs),
        ...(current ? { launchedBy: current.key } : {}),
      });
      delete group.lastLaunchFailure;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      group.lastLaunchFailure = `Launching a new EC2 instance failed. Status Reason: ${message}`;
      group.nextLaunchAt = at + LAUNCH_RETRY_MS;
      if (current) {
        current.pass.failures++;
        current.pass.lastFailure = group.lastLaunchFailure;
      }
      break;
    }
  }
  return true;
}

/** The earliest moment after the last settled one at which something is due in the region. */
function nextEventAt(core: SimulatorCore, region: AutoScalingRegion): number {
  let earliest = Number.POSITIVE_INFINITY;
  const consider = (at: number | undefined) => {
    if (at !== undefined && at > region.settledAt && at < earliest) earliest = at;
  };
  const healthCheckMs = core.timings.healthCheckMs;
  for (const group of region.groups.values()) {
    const refresh = activeRefresh(region, group.name);
    const current = refresh && currentPass(refresh);
    for (const member of group.instances.values()) {
      const record = ec2Of(core, group, member);
      if (member.terminatingAt !== undefined) {
        consider(record ? terminatedAt(record) : region.settledAt);
        continue;
      }
      if (Number.isFinite(member.nextHealthCheckAt)) consider(member.nextHealthCheckAt);
      const down = wentDownAt(record);
      if (down !== undefined) consider(down + healthCheckMs);
      const running = inServiceAt(record);
      if (
        refresh &&
        current &&
        member.launchedBy === current.key &&
        member.readyAt === undefined &&
        running !== undefined
      )
        consider(running + warmupMs(refresh, group));
      // A refresh may be waiting on an instance reaching running (Cancelling waits for launches to land).
      consider(running);
    }
    if (group.lastLaunchFailure !== undefined) consider(group.nextLaunchAt);
    if (refresh) {
      consider(refresh.beginsAt);
      consider(current?.pass.pausedUntil);
      consider(current?.pass.bakingUntil);
    }
  }
  return earliest;
}

/** The knob changed: instances of these images are checked again one health-check interval from now. */
export function recheckImages(core: SimulatorCore, imageIds: string[], now: number): void {
  for (const region of core.autoScaling.all()) {
    for (const group of region.groups.values()) {
      for (const member of group.instances.values()) {
        if (member.terminatingAt === undefined && imageIds.includes(member.imageId))
          member.nextHealthCheckAt = Math.min(member.nextHealthCheckAt, now + core.timings.healthCheckMs);
      }
    }
  }
}
