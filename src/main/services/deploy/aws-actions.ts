import {
  CancelInstanceRefreshCommand,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
  type DesiredConfiguration,
  type RefreshPreferences,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, ModifyLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import type { EffectivePreferences } from '../../../shared/deploy';
import { AppError } from '../../../shared/result';
import { awsCode } from './calls';
import type { DeployPlan } from './plan';

/**
 * The calls that change things, each idempotent or safe to repeat: a launch template version made with
 * the deployment id as ClientToken (a retry after a lost answer gets the same version), a default version
 * set, a refresh started, cancelled or rolled back.
 */
export async function createTemplateVersion(plan: DeployPlan, deployId: string): Promise<number> {
  const out = await plan.calls.send('CreateLaunchTemplateVersion', (o) =>
    plan.connection.clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: plan.group.template.id,
        SourceVersion: String(plan.group.current.version),
        LaunchTemplateData: { ImageId: plan.imageId },
        VersionDescription:
          `Quadraxis: ${plan.project.name}${plan.version !== undefined ? ` version ${plan.version}` : ''} (${plan.imageId}), ${deployId}`.slice(
            0,
            255,
          ),
        ClientToken: deployId,
      }),
      o,
    ),
  );
  const version = out.LaunchTemplateVersion?.VersionNumber;
  if (!version)
    throw new AppError('AWS_ERROR', 'CreateLaunchTemplateVersion answered without a version number.');
  return version;
}

export async function setDefaultVersion(plan: DeployPlan, version: number): Promise<void> {
  await plan.calls.send('ModifyLaunchTemplate', (o) =>
    plan.connection.clients.ec2.send(
      new ModifyLaunchTemplateCommand({
        LaunchTemplateId: plan.group.template.id,
        DefaultVersion: String(version),
      }),
      o,
    ),
  );
}

/** The group as it was, launching `version` (a number, or `$Default`) of its template. */
export function desiredConfiguration(plan: DeployPlan, version: string): DesiredConfiguration {
  const spec = { LaunchTemplateId: plan.group.template.id, Version: version };
  if (plan.group.source === 'template') return { LaunchTemplate: spec };
  return {
    MixedInstancesPolicy: {
      LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: plan.group.overrides },
      ...(plan.group.distribution ? { InstancesDistribution: plan.group.distribution } : {}),
    },
  };
}

function refreshPreferences(p: EffectivePreferences, autoRollback: boolean): RefreshPreferences {
  return {
    MinHealthyPercentage: p.minHealthyPercentage,
    MaxHealthyPercentage: p.maxHealthyPercentage,
    ...(p.instanceWarmupSeconds !== undefined ? { InstanceWarmup: p.instanceWarmupSeconds } : {}),
    ...(p.checkpoints.length > 0 ? { CheckpointPercentages: p.checkpoints } : {}),
    ...(p.checkpoints.length > 0 && p.checkpointDelaySeconds !== undefined
      ? { CheckpointDelay: p.checkpointDelaySeconds }
      : {}),
    SkipMatching: p.skipMatching,
    AutoRollback: autoRollback,
  };
}

/** StartInstanceRefresh onto `version`; AWS's own AutoRollback only where AWS can roll back. */
export async function startRefresh(
  plan: DeployPlan,
  version: string,
  preferences: EffectivePreferences,
  autoRollback: boolean,
): Promise<string> {
  try {
    const out = await plan.calls.send(
      'autoscaling:StartInstanceRefresh',
      (o) =>
        plan.connection.clients.autoScaling.send(
          new StartInstanceRefreshCommand({
            AutoScalingGroupName: plan.group.name,
            Strategy: 'Rolling',
            DesiredConfiguration: desiredConfiguration(plan, version),
            Preferences: refreshPreferences(preferences, autoRollback),
          }),
          o,
        ),
      // Not idempotent: a second start after a lost answer is refused (InstanceRefreshInProgress) — by then
      // the first is running, and recovery finds it.
      { attempts: 1 },
    );
    if (!out.InstanceRefreshId)
      throw new AppError('AWS_ERROR', 'StartInstanceRefresh answered without an id.');
    return out.InstanceRefreshId;
  } catch (error) {
    if (
      awsCode(error) === 'InstanceRefreshInProgressFault' ||
      awsCode(error) === 'InstanceRefreshInProgress'
    ) {
      throw new AppError(
        'CONFLICT',
        `Someone started another instance refresh of ${plan.group.name} a moment ago; nothing was changed by this deploy.`,
        {
          reason: 'refresh-running',
        },
      );
    }
    throw error;
  }
}

/** Asks AWS to cancel the group's refresh; one already over is not an error. */
export async function cancelRefresh(plan: DeployPlan): Promise<void> {
  try {
    await plan.calls.send('autoscaling:CancelInstanceRefresh', (o) =>
      plan.connection.clients.autoScaling.send(
        new CancelInstanceRefreshCommand({ AutoScalingGroupName: plan.group.name }),
        o,
      ),
    );
  } catch (error) {
    if (!/^ActiveInstanceRefreshNotFound/.test(awsCode(error) ?? '')) throw error;
  }
}

/** RollbackInstanceRefresh; false when AWS says this refresh cannot be rolled back (or is already over). */
export async function rollbackRefresh(plan: DeployPlan): Promise<boolean> {
  try {
    await plan.calls.send('autoscaling:RollbackInstanceRefresh', (o) =>
      plan.connection.clients.autoScaling.send(
        new RollbackInstanceRefreshCommand({ AutoScalingGroupName: plan.group.name }),
        o,
      ),
    );
    return true;
  } catch (error) {
    if (/^(IrreversibleInstanceRefresh|ActiveInstanceRefreshNotFound)/.test(awsCode(error) ?? ''))
      return false;
    throw error;
  }
}

/** Points a group that used `$Default` back at `$Default` (the refresh pinned it to the number). */
export async function restoreDefaultReference(plan: DeployPlan): Promise<void> {
  const config = desiredConfiguration(plan, '$Default');
  await plan.calls.send('autoscaling:UpdateAutoScalingGroup', (o) =>
    plan.connection.clients.autoScaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: plan.group.name,
        ...(config.LaunchTemplate ? { LaunchTemplate: config.LaunchTemplate } : {}),
        ...(config.MixedInstancesPolicy ? { MixedInstancesPolicy: config.MixedInstancesPolicy } : {}),
      }),
      o,
    ),
  );
}
