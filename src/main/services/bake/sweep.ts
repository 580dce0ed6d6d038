import { DescribeInstancesCommand, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { BAKE_ID_PATTERN } from '../../../shared/bake';
import { ROLE_BUILDER, TAG_BAKE_ID, TAG_PROJECT, TAG_ROLE } from '../../../protocol/builder-tags';
import { callAws, type CallScope } from './aws-call';
import type { RunEnv } from './bake-run';
import type { RegionRegistry } from './region-services';
import type { EngineDeps, SweepCandidate, SweepReport, SweepRequest } from './types';

export interface SweepContext {
  deps: EngineDeps;
  env: RunEnv;
  regions: RegionRegistry;
  isActive: (bakeId: string) => boolean;
}

const TERMINATE_BATCH = 50;

function tag(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((t) => t.Key === key)?.Value;
}

/**
 * Builders (tagged quadraxis:role=builder) that no live bake owns — left by a crash recovery could not
 * reach, a killed process on another machine, an older version — are listed and, once confirmed,
 * terminated. A builder whose bake is running here or in another live process is never touched.
 */
export async function sweepBuilders(ctx: SweepContext, request: SweepRequest): Promise<SweepReport> {
  const connection = await ctx.deps.connect({
    profile: request.profile,
    ...(request.region ? { region: request.region } : {}),
    ...(request.endpoint ? { endpoint: request.endpoint } : {}),
  });
  const { ec2 } = connection.clients;
  const scope: CallScope = {
    clock: ctx.env.clock,
    limiter: ctx.regions.for(connection).limiter,
    signal: new AbortController().signal,
    onCall: () => undefined,
  };
  const instances: Instance[] = [];
  let token: string | undefined;
  do {
    const out = await callAws(scope, 'DescribeInstances', (o) =>
      ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${TAG_ROLE}`, Values: [ROLE_BUILDER] },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
          ],
          NextToken: token,
        }),
        o,
      ),
    );
    for (const r of out.Reservations ?? []) instances.push(...(r.Instances ?? []));
    token = out.NextToken;
  } while (token);

  const report: SweepReport = {
    region: connection.region,
    found: [],
    owned: [],
    confirmed: false,
    terminated: [],
    failed: [],
  };
  for (const instance of instances) {
    if (!instance.InstanceId) continue;
    const bakeId = tag(instance, TAG_BAKE_ID);
    if (bakeId && (await owned(ctx, bakeId))) {
      report.owned.push(instance.InstanceId);
      continue;
    }
    const project = tag(instance, TAG_PROJECT);
    report.found.push({
      instanceId: instance.InstanceId,
      state: instance.State?.Name ?? 'unknown',
      ...(bakeId ? { bakeId } : {}),
      ...(project ? { project } : {}),
      ...(instance.LaunchTime ? { launchedAt: instance.LaunchTime.getTime() } : {}),
    } satisfies SweepCandidate);
  }
  if (report.found.length === 0) return report;
  const answer = await request.confirm(report.found);
  const chosen = new Set(Array.isArray(answer) ? answer : []);
  const ids = report.found.map((c) => c.instanceId).filter((id) => answer === true || chosen.has(id));
  report.confirmed = ids.length > 0;
  if (!report.confirmed) return report;

  for (let i = 0; i < ids.length; i += TERMINATE_BATCH) {
    const batch = ids.slice(i, i + TERMINATE_BATCH);
    try {
      await callAws(scope, 'TerminateInstances', (o) =>
        ec2.send(new TerminateInstancesCommand({ InstanceIds: batch }), o),
      );
      report.terminated.push(...batch);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failed.push(...batch.map((instanceId) => ({ instanceId, message })));
    }
  }
  return report;
}

async function owned(ctx: SweepContext, bakeId: string): Promise<boolean> {
  if (ctx.isActive(bakeId)) return true;
  if (!BAKE_ID_PATTERN.test(bakeId)) return false;
  return (await ctx.deps.store.bakes.liveOwner(bakeId)).live;
}
