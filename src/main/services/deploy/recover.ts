import { DescribeInstanceRefreshesCommand } from '@aws-sdk/client-auto-scaling';
import { isFinalDeployStatus, type Deployment, type DeployEvent } from '../../../shared/deploy';
import { AppError } from '../../../shared/result';
import { follow } from './execute';
import { inspectGroup } from './inspect';
import { connectFor, loadProject, type DeployPlan } from './plan';
import { DeployRun } from './run';
import type { DeployDeps } from './types';

/**
 * A deployment whose process died (or quit) while its refresh ran: the refresh carried on in AWS. This
 * process takes the watch over — finding the refresh by id, or, when the process died between starting
 * it and recording its id, by time — and finishes the deployment (the default version included). One
 * that never reached the group ends `interrupted`.
 */
export async function recoverDeployment(
  deps: DeployDeps,
  record: Deployment,
  broadcast: (event: DeployEvent) => void,
): Promise<{ run: DeployRun; work: (run: DeployRun) => Promise<void> } | undefined> {
  const controller = new AbortController();
  let plan: DeployPlan;
  try {
    const project = await loadProject(deps, record.project);
    const { connection, calls, identity } = await connectFor(
      deps,
      {
        profile: record.profile,
        region: record.region,
        ...(record.endpoint ? { endpoint: record.endpoint } : {}),
      },
      controller.signal,
    );
    const group = await inspectGroup(calls, record.group, record.region);
    // The group as it was when the deployment began: its version reference and the version it ran.
    const before = record.launchTemplate;
    plan = {
      project,
      ...(record.version !== undefined ? { version: record.version } : {}),
      imageId: record.imageId,
      group: before
        ? {
            ...group,
            versionRef: before.groupVersion,
            current: { ...group.current, version: before.previousVersion },
          }
        : group,
      region: record.region,
      profile: record.profile,
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
      connection,
      calls,
      identity,
      preferences: record.preferences,
      rollbackMode: record.rollbackMode ?? 'aws',
      rollout: { kind: 'new-version' },
      warnings: record.warnings,
    };
  } catch (error) {
    deps.logger.warn('could not take over a deployment', { id: record.id, error: String(error) });
    const message = `Quadraxis could not take this deployment over after its process stopped: ${error instanceof Error ? error.message : String(error)}`;
    await deps.store.deployments.save({
      ...record,
      status: 'interrupted',
      message,
      endedAt: deps.clock.now(),
    });
    return undefined;
  }
  const run = new DeployRun(deps, plan, record, broadcast);
  plan.calls.useSignal(run.signal);
  return {
    run,
    work: async (r) => {
      try {
        const version = r.record.launchTemplate?.newVersion;
        const refreshId =
          r.record.refreshId ?? (version !== undefined ? await findRefresh(r, record.createdAt) : undefined);
        if (!refreshId || version === undefined) {
          await r.finish(
            'interrupted',
            version === undefined
              ? `The process running this deployment stopped before it changed anything.`
              : `The process running this deployment stopped after making version ${version} of ${plan.group.template.name}, before any refresh: nothing changed on ${plan.group.name}.`,
          );
          return;
        }
        if (!r.record.refreshId) {
          await r.emit({
            type: 'refresh',
            refresh: { id: refreshId, status: 'InProgress', percentage: 0, instancesToUpdate: 0 },
          });
        }
        await follow(r, refreshId, version);
      } catch (error) {
        if (r.signal.aborted || isFinalDeployStatus(r.record.status)) return;
        const failure = error instanceof AppError ? error : plan.calls.translate(error);
        await r.finish('failed', failure.message, failure);
      }
    },
  };
}

/** The group's refresh that started at or after the deployment did (the one whose id was never recorded). */
async function findRefresh(run: DeployRun, since: number): Promise<string | undefined> {
  const { plan } = run;
  const out = await plan.calls.send('autoscaling:DescribeInstanceRefreshes', (o) =>
    plan.connection.clients.autoScaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: plan.group.name, MaxRecords: 10 }),
      o,
    ),
  );
  return out.InstanceRefreshes?.find((r) => (r.StartTime?.getTime() ?? 0) >= since - 1_000)
    ?.InstanceRefreshId;
}
