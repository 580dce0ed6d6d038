import { z } from 'zod';
import { SandboxError } from '../wire/errors';
import { qBool, qInt } from '../wire/query';
import { isoTime, type XmlValue } from '../wire/xml';
import type { AutoScalingContext, AutoScalingHandler } from './context';
import { findGroup, newUuid } from './groups';
import {
  MixedInstancesPolicySchema,
  PreferencesSchema,
  TemplateSpecSchema,
  memberList,
  parseAs,
  required,
  validation,
} from './params';
import type { LaunchSource, RefreshPreferences, RefreshRecord, ReplacementPass } from './records';
import { activeRefresh, newPass, planForwardPass, rollbackBlocker, startRollback } from './refresh-progress';
import { settleGroup } from './simulation';
import { readSource, sourceXml } from './sources';

const StartSchema = z.object({
  AutoScalingGroupName: z.string().optional(),
  Strategy: z.string().optional(),
  DesiredConfiguration: z
    .object({
      LaunchTemplate: TemplateSpecSchema.optional(),
      MixedInstancesPolicy: MixedInstancesPolicySchema.optional(),
    })
    .optional(),
  Preferences: PreferencesSchema.optional(),
});

function preferences(p: z.output<typeof PreferencesSchema> | undefined): RefreshPreferences {
  const min = p?.MinHealthyPercentage ?? 90;
  const max = p?.MaxHealthyPercentage ?? 100;
  if (min < 0 || min > 100) throw validation('MinHealthyPercentage must be between 0 and 100.');
  if (max < 100 || max > 200) throw validation('MaxHealthyPercentage must be between 100 and 200.');
  if (max - min > 100) {
    throw validation(
      'The difference between MaxHealthyPercentage and MinHealthyPercentage must not exceed 100.',
    );
  }
  const checkpoints = p?.CheckpointPercentages ?? [];
  checkpoints.forEach((c, i) => {
    if (c < 1 || c > 100) throw validation('CheckpointPercentages must be between 1 and 100.');
    if (i > 0 && c <= checkpoints[i - 1]!)
      throw validation('CheckpointPercentages must be in ascending order.');
  });
  if (p?.CheckpointDelay !== undefined && checkpoints.length === 0) {
    throw validation('CheckpointDelay requires CheckpointPercentages.');
  }
  const delay = p?.CheckpointDelay ?? 3600;
  const bake = p?.BakeTime ?? 0;
  if (delay < 0 || delay > 172_800) throw validation('CheckpointDelay must be between 0 and 172800 seconds.');
  if (bake < 0 || bake > 172_800) throw validation('BakeTime must be between 0 and 172800 seconds.');
  if (p?.InstanceWarmup !== undefined && p.InstanceWarmup < 0)
    throw validation('InstanceWarmup must not be negative.');
  if (p?.AlarmSpecification !== undefined) {
    throw validation('The sandbox does not model CloudWatch alarms (AlarmSpecification).');
  }
  return {
    minHealthyPercentage: min,
    maxHealthyPercentage: max,
    ...(p?.InstanceWarmup !== undefined ? { instanceWarmup: p.InstanceWarmup } : {}),
    checkpointPercentages: checkpoints,
    checkpointDelay: delay,
    skipMatching: p?.SkipMatching ?? false,
    autoRollback: p?.AutoRollback ?? false,
    scaleInProtectedInstances: p?.ScaleInProtectedInstances ?? 'Ignore',
    standbyInstances: p?.StandbyInstances ?? 'Ignore',
    bakeTime: bake,
  };
}

export const startInstanceRefresh: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(StartSchema, tree);
  const group = findGroup(ctx, required(p.AutoScalingGroupName, 'autoScalingGroupName'));
  if (p.Strategy !== undefined && p.Strategy !== 'Rolling') {
    throw validation(`The sandbox models the Rolling strategy only, not ${p.Strategy}.`);
  }
  const prefs = preferences(p.Preferences);
  const running = activeRefresh(ctx.region, group.name);
  if (running) {
    throw new SandboxError(
      'InstanceRefreshInProgress',
      `An Instance Refresh is already in progress and blocks the execution of this Instance Refresh (${running.id}).`,
    );
  }
  const desired: LaunchSource | undefined = p.DesiredConfiguration
    ? readSource(ctx.core, ctx.region, p.DesiredConfiguration)
    : undefined;
  if (desired && group.source.kind === 'mixed' && desired.kind !== 'mixed') {
    throw validation(
      'The Auto Scaling group uses a MixedInstancesPolicy: specify the desired configuration as a MixedInstancesPolicy.',
    );
  }
  if (prefs.autoRollback) {
    const blocker = rollbackBlocker(ctx.core, group, {
      ...(desired ? { desired } : {}),
      original: group.source,
    });
    if (blocker) throw validation(`AutoRollback is not supported for this instance refresh: ${blocker}`);
  }
  const refresh: RefreshRecord = {
    id: newUuid(ctx),
    group: group.name,
    region: ctx.region.name,
    status: 'Pending',
    statusReason: 'Waiting for the instance refresh to start.',
    startedAt: ctx.now,
    beginsAt: ctx.now + ctx.core.timings.instanceRefreshStartMs,
    preferences: prefs,
    ...(desired ? { desired } : {}),
    original: group.source,
    target: [],
    pass: newPass([]),
  };
  // Planned now so the Pending refresh already says how many instances it will replace; planned again
  // when it begins, from the instances the group has then.
  planForwardPass(ctx.core, ctx.region, group, refresh, ctx.now);
  ctx.region.refreshes.push(refresh);
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return { InstanceRefreshId: refresh.id };
};

const DescribeSchema = z.object({
  AutoScalingGroupName: z.string().optional(),
  InstanceRefreshIds: memberList(z.string()),
  MaxRecords: qInt.optional(),
  NextToken: z.string().optional(),
});

export const describeInstanceRefreshes: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(DescribeSchema, tree);
  const name = required(p.AutoScalingGroupName, 'autoScalingGroupName');
  const max = p.MaxRecords ?? 50;
  if (max < 1 || max > 100) throw validation('MaxRecords must be between 1 and 100.');
  const ids = p.InstanceRefreshIds ?? [];
  const all = ctx.region.refreshes
    .filter((r) => r.group === name && (ids.length === 0 || ids.includes(r.id)))
    .reverse();
  const offset =
    p.NextToken === undefined ? 0 : Number(Buffer.from(p.NextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0)
    throw new SandboxError('InvalidNextToken', 'The token is not valid.');
  const page = all.slice(offset, offset + max);
  return {
    InstanceRefreshes: page.map((r) => refreshXml(r)),
    NextToken:
      offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined,
  };
};

function progressXml(pass: ReplacementPass): XmlValue {
  return { LivePoolProgress: { PercentageComplete: pass.percentage, InstancesToUpdate: pass.toUpdate } };
}

export function refreshXml(r: RefreshRecord): XmlValue {
  const forward = r.rollback
    ? { percentage: r.rollback.forwardPercentage, toUpdate: r.rollback.forwardToUpdate }
    : { percentage: r.pass.percentage, toUpdate: r.pass.toUpdate };
  const prefs = r.preferences;
  return {
    InstanceRefreshId: r.id,
    AutoScalingGroupName: r.group,
    Status: r.status,
    StatusReason: r.statusReason,
    StartTime: isoTime(r.startedAt),
    EndTime: r.endedAt !== undefined ? isoTime(r.endedAt) : undefined,
    PercentageComplete: forward.percentage,
    InstancesToUpdate: forward.toUpdate,
    ProgressDetails: r.rollback ? undefined : progressXml(r.pass),
    Preferences: {
      MinHealthyPercentage: prefs.minHealthyPercentage,
      MaxHealthyPercentage: prefs.maxHealthyPercentage,
      InstanceWarmup: prefs.instanceWarmup,
      CheckpointPercentages: prefs.checkpointPercentages.length ? prefs.checkpointPercentages : undefined,
      CheckpointDelay: prefs.checkpointPercentages.length ? prefs.checkpointDelay : undefined,
      SkipMatching: prefs.skipMatching,
      AutoRollback: prefs.autoRollback,
      ScaleInProtectedInstances: prefs.scaleInProtectedInstances,
      StandbyInstances: prefs.standbyInstances,
      BakeTime: prefs.bakeTime,
    },
    DesiredConfiguration: r.desired ? sourceXml(r.desired) : undefined,
    RollbackDetails: r.rollback
      ? {
          RollbackReason: r.rollback.reason,
          RollbackStartTime: isoTime(r.rollback.startedAt),
          PercentageCompleteOnRollback: r.rollback.pass.percentage,
          InstancesToUpdateOnRollback: r.rollback.pass.toUpdate,
          ProgressDetailsOnRollback: progressXml(r.rollback.pass),
        }
      : undefined,
    Strategy: 'Rolling',
  };
}

const CancelSchema = z.object({
  AutoScalingGroupName: z.string().optional(),
  WaitForTransitioningInstances: qBool.optional(),
});

function activeOrFail(ctx: AutoScalingContext, name: string): RefreshRecord {
  const refresh = activeRefresh(ctx.region, name);
  if (!refresh) {
    throw new SandboxError(
      'ActiveInstanceRefreshNotFound',
      `No in progress or pending Instance Refresh found for Auto Scaling group ${name}`,
    );
  }
  return refresh;
}

export const cancelInstanceRefresh: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(CancelSchema, tree);
  const group = findGroup(ctx, required(p.AutoScalingGroupName, 'autoScalingGroupName'));
  const refresh = activeOrFail(ctx, group.name);
  if (refresh.status === 'Cancelling') return { InstanceRefreshId: refresh.id };
  if (refresh.status === 'RollbackInProgress') {
    throw new SandboxError(
      'ActiveInstanceRefreshNotFound',
      `The instance refresh ${refresh.id} is rolling back and cannot be cancelled.`,
    );
  }
  refresh.status = 'Cancelling';
  refresh.statusReason = 'Cancelling: waiting for instances being launched to finish.';
  if (p.WaitForTransitioningInstances === false) {
    refresh.status = 'Cancelled';
    refresh.endedAt = ctx.now;
    refresh.statusReason = 'Cancelled by user.';
  }
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return { InstanceRefreshId: refresh.id };
};

const RollbackSchema = z.object({ AutoScalingGroupName: z.string().optional() });

export const rollbackInstanceRefresh: AutoScalingHandler = (ctx, tree) => {
  const p = parseAs(RollbackSchema, tree);
  const group = findGroup(ctx, required(p.AutoScalingGroupName, 'autoScalingGroupName'));
  const refresh = activeOrFail(ctx, group.name);
  if (refresh.status === 'RollbackInProgress' || refresh.status === 'Cancelling') {
    throw new SandboxError(
      'IrreversibleInstanceRefresh',
      `The instance refresh ${refresh.id} is ${refresh.status} and cannot be rolled back.`,
    );
  }
  const blocker = rollbackBlocker(ctx.core, group, refresh);
  if (blocker)
    throw new SandboxError('IrreversibleInstanceRefresh', `A rollback is not supported: ${blocker}`);
  if (refresh.status === 'Pending') {
    // Nothing was replaced yet: the rollback has nothing to put back.
    refresh.pass = newPass([]);
  }
  startRollback(ctx.core, ctx.region, group, refresh, ctx.now, 'Rollback started by user.');
  settleGroup(ctx.core, ctx.region, group, ctx.now);
  return { InstanceRefreshId: refresh.id };
};
