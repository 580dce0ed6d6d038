import { hostname, userInfo } from 'node:os';
import {
  isFinalDeployStatus,
  type Deployment,
  type DeployEvent,
  type DeployPreview,
  type DeployTrigger,
} from '../../../shared/deploy';
import { AppError } from '../../../shared/result';
import { newDeployId } from '../store';
import { execute } from './execute';
import { prepareDeploy, prepareRollback, type DeployPlan } from './plan';
import { describePreferences } from './preferences';
import { recoverDeployment } from './recover';
import { DeployRun } from './run';
import type { DeployDeps, DeployRequest, DeployService } from './types';

/** How often waitForFinal looks at a deployment another process runs. */
const FOREIGN_POLL_MS = 1_000;

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** The record a deployment starts with: the checks passed, nothing changed yet. */
export function newRecord(
  deps: DeployDeps,
  plan: DeployPlan,
  trigger: DeployTrigger,
  kind: Deployment['kind'],
  rollbackOf?: string,
): Deployment {
  const now = deps.clock.now();
  const { group } = plan;
  return {
    id: newDeployId(deps.clock),
    project: plan.project.name,
    ...(plan.version !== undefined ? { version: plan.version } : {}),
    imageId: plan.imageId,
    group: group.name,
    region: plan.region,
    profile: plan.profile,
    ...(plan.endpoint ? { endpoint: plan.endpoint } : {}),
    simulated: plan.connection.simulated,
    kind,
    ...(rollbackOf ? { rollbackOf } : {}),
    trigger,
    by: { actor: deps.actor, user: currentUser(), host: hostname(), arn: plan.identity.arn },
    status: 'running',
    createdAt: now,
    steps: [
      {
        step: 'preflight',
        status: 'done',
        startedAt: now,
        endedAt: now,
        message: `${group.name}: ${group.instances.length} of ${group.desiredCapacity} instances on ${group.template.name} version ${group.current.version}; ${plan.imageId} fits; ${describePreferences(plan.preferences)}.`,
      },
      { step: 'template', status: 'pending' },
      { step: 'refresh', status: 'pending' },
      { step: 'finalize', status: 'pending' },
    ],
    preferences: plan.preferences,
    rollbackMode: plan.rollbackMode,
    launchTemplate: {
      id: group.template.id,
      name: group.template.name,
      groupVersion: group.versionRef,
      previousVersion: group.current.version,
      ...(group.current.imageId ? { previousImageId: group.current.imageId } : {}),
    },
    desiredCapacity: group.desiredCapacity,
    instances: group.instances,
    warnings: plan.warnings,
    apiCalls: plan.calls.count,
    seq: 0,
  };
}

export function toPreview(plan: DeployPlan): DeployPreview {
  return {
    project: plan.project.name,
    version: plan.version ?? 0,
    group: plan.group.name,
    region: plan.region,
    profile: plan.profile,
    simulated: plan.connection.simulated,
    desiredCapacity: plan.group.desiredCapacity,
    instances: plan.group.instances.length,
    ...(plan.group.current.imageId ? { currentImageId: plan.group.current.imageId } : {}),
    newImageId: plan.imageId,
    launchTemplate: {
      id: plan.group.template.id,
      name: plan.group.template.name,
      groupVersion: plan.group.versionRef,
      currentVersion: plan.group.current.version,
    },
    source: plan.group.source,
    preferences: plan.preferences,
    rollbackMode: plan.rollbackMode,
    warnings: plan.warnings,
  };
}

/**
 * Deploys project versions to Auto Scaling groups: preflight (nothing changes until every check passed),
 * a launch template version, an instance refresh followed through the shared poller, the default version
 * set on success — and roll back, during a refresh or after one. Plain Node; collaborators as arguments.
 */
export function createDeployService(deps: DeployDeps): DeployService {
  const active = new Map<string, DeployRun>();
  const running = new Set<Promise<void>>();
  const listeners = new Set<(event: DeployEvent) => void>();
  let closing = false;

  const broadcast = (event: DeployEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        deps.logger.warn('a deploy event listener threw', { error: String(error) });
      }
    }
  };

  function refuseWhenClosing(): void {
    if (closing) throw new AppError('UNAVAILABLE', 'Quadraxis is shutting down.');
  }

  /** Records the deployment, tells everyone, and runs `work` until the deployment settles (or is left). */
  async function launch(
    plan: DeployPlan,
    record: Deployment,
    work: (run: DeployRun) => Promise<void>,
  ): Promise<Deployment> {
    await deps.store.deployments.create(record);
    const run = new DeployRun(deps, plan, record, broadcast);
    plan.calls.useSignal(run.signal);
    broadcast({ type: 'created', deployId: record.id, seq: 0, at: record.createdAt, record });
    adopt(run, work);
    return record;
  }

  function adopt(run: DeployRun, work: (run: DeployRun) => Promise<void>): void {
    active.set(run.id, run);
    const settled = work(run)
      .catch((error: unknown) =>
        deps.logger.error('a deployment ended unexpectedly', { id: run.id, error: String(error) }),
      )
      .finally(async () => {
        active.delete(run.id);
        if (!isFinalDeployStatus(run.record.status)) {
          // Left running (shutdown): the refresh carries on in AWS; the next start takes the watch over.
          await deps.store.deployments.release(run.record).catch(() => undefined);
        }
      });
    running.add(settled);
    void settled.finally(() => running.delete(settled));
  }

  async function get(id: string): Promise<Deployment | undefined> {
    return active.get(id)?.record ?? (await deps.store.deployments.get(id));
  }

  return {
    async preview(request) {
      refuseWhenClosing();
      return toPreview(await prepareDeploy(deps, request, new AbortController().signal));
    },

    async start(request: DeployRequest) {
      refuseWhenClosing();
      const controller = new AbortController();
      const plan = await prepareDeploy(deps, request, controller.signal);
      const record = newRecord(deps, plan, request.trigger, 'deploy');
      return launch(plan, record, execute);
    },

    async rollback(id, request) {
      refuseWhenClosing();
      const run = active.get(id);
      if (run && !isFinalDeployStatus(run.record.status)) {
        run.requested = { kind: 'rollback' };
        run.wake();
        return run.record;
      }
      const record = await get(id);
      if (!record) throw new AppError('NOT_FOUND', `There is no deployment ${id}.`);
      if (!isFinalDeployStatus(record.status)) {
        throw new AppError(
          'CONFLICT',
          `Deployment ${id} is run by another Quadraxis process; roll it back there.`,
        );
      }
      const plan = await prepareRollback(deps, record, new AbortController().signal);
      return launch(plan, newRecord(deps, plan, request.trigger, 'rollback', record.id), execute);
    },

    async cancel(id) {
      const run = active.get(id);
      if (run) {
        run.requested = { kind: 'cancel' };
        run.wake();
        return;
      }
      const record = await get(id);
      if (!record) throw new AppError('NOT_FOUND', `There is no deployment ${id}.`);
      if (isFinalDeployStatus(record.status)) return;
      throw new AppError(
        'CONFLICT',
        `Deployment ${id} is run by another Quadraxis process; cancel it there.`,
      );
    },

    get,

    async list(project, limit = 50) {
      const stored = await deps.store.deployments.list(project, { limit });
      return stored.map((d) => active.get(d.id)?.record ?? d);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async waitForFinal(id) {
      for (;;) {
        const run = active.get(id);
        if (run) return run.final;
        const record = await deps.store.deployments.get(id);
        if (!record) throw new AppError('NOT_FOUND', `There is no deployment ${id}.`);
        if (isFinalDeployStatus(record.status)) return record;
        await deps.clock.sleep(FOREIGN_POLL_MS);
      }
    },

    async recover() {
      if (closing) return [];
      const taken: Deployment[] = [];
      for (const orphan of await deps.store.deployments.orphans()) {
        if (active.has(orphan.id) || !(await deps.store.deployments.claim(orphan))) continue;
        const resumed = await recoverDeployment(deps, orphan, broadcast);
        if (!resumed) continue;
        taken.push(orphan);
        adopt(resumed.run, resumed.work);
      }
      return taken;
    },

    async shutdown() {
      closing = true;
      for (const run of active.values())
        run.controller.abort(new AppError('UNAVAILABLE', 'Quadraxis is shutting down.'));
      while (running.size > 0) await Promise.all(running);
    },
  };
}
