import type { DeployInstance, RefreshProgress } from '../../../shared/deploy';
import type { GroupView, Look, Observation, RefreshView, Watcher } from '../bake/poller';
import { ACTIVE_REFRESH } from './inspect';
import type { DeployRun, Request } from './run';

/**
 * When to look at a refresh: every base tick at first (a refresh's first batch often starts within
 * seconds), then a twentieth of the time it has run, at most five ticks (10 s at the default 2 s tick)
 * apart — a refresh moves in warmups of minutes, and a person watching sees each instance change within
 * seconds. A cancel or roll back asked for is looked after at once.
 */
class RefreshSchedule {
  private nextAt: number;
  private lastLookAt: number;

  constructor(
    private readonly tickMs: number,
    private readonly startedAt: number,
  ) {
    this.nextAt = startedAt + tickMs;
    this.lastLookAt = startedAt;
  }

  nextLook(): Look {
    return { at: this.nextAt, slackMs: Math.max(0, (this.nextAt - this.lastLookAt) / 4) };
  }

  observed(now: number): void {
    this.lastLookAt = now;
    const interval = Math.min(5 * this.tickMs, Math.max(this.tickMs, (now - this.startedAt) / 20));
    this.nextAt = Math.max(this.nextAt, now + interval);
  }

  now(at: number): void {
    this.nextAt = at;
  }
}

export type WatchOutcome =
  { kind: 'final'; refresh: RefreshProgress } | { kind: 'request'; request: Request };

function progressOf(view: RefreshView): RefreshProgress {
  return {
    id: view.id,
    status: view.status,
    ...(view.statusReason ? { statusReason: view.statusReason } : {}),
    percentage: view.percentage,
    instancesToUpdate: view.instancesToUpdate,
    ...(view.rollback ? { rollback: view.rollback } : {}),
  };
}

function instancesOf(view: GroupView): DeployInstance[] {
  return view.instances.map((i) => ({
    instanceId: i.instanceId,
    lifecycleState: i.lifecycleState,
    health: i.health,
    ...(i.imageId ? { imageId: i.imageId } : {}),
    ...(i.launchTemplateVersion ? { launchTemplateVersion: i.launchTemplateVersion } : {}),
    ...(i.availabilityZone ? { availabilityZone: i.availabilityZone } : {}),
  }));
}

/**
 * Follows one instance refresh through the region's shared poller — its DescribeInstanceRefreshes and the
 * group's DescribeAutoScalingGroups, batched with every other watcher in the account and region — emitting
 * each change of progress and of the group's instances, until the refresh reaches a final status or a
 * person asks for something (resolved so the caller can act, then watch again).
 */
export function followRefresh(run: DeployRun, refreshId: string, rollback: boolean): Promise<WatchOutcome> {
  const { deps, plan } = run;
  const poller = deps.regions.for(plan.connection).poller;
  const tickMs = deps.pollIntervalMs ?? 2_000;
  // One schedule each: the poller asks both in the same tick, and each look pushes only its own next one.
  const schedule = new RefreshSchedule(tickMs, deps.clock.now());
  const groupSchedule = new RefreshSchedule(tickMs, deps.clock.now());
  let lastRefresh = JSON.stringify(run.record.refresh?.id === refreshId ? run.record.refresh : undefined);
  let lastInstances = JSON.stringify(run.record.instances);
  return new Promise<WatchOutcome>((resolve, reject) => {
    let done = false;
    const end = (outcome: WatchOutcome | Error) => {
      if (done) return;
      done = true;
      offRefresh();
      offGroup();
      run.signal.removeEventListener('abort', onAbort);
      run.wake = () => undefined;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onAbort = () => end(run.signal.reason instanceof Error ? run.signal.reason : new Error('aborted'));
    const checkRequest = () => {
      if (run.requested) end({ kind: 'request', request: run.requested });
    };
    const refreshWatcher: Watcher<RefreshView[]> = {
      onCall: () => run.plan.calls.count++,
      nextLook: () => schedule.nextLook(),
      onObservation(observation: Observation<RefreshView[]>) {
        schedule.observed(deps.clock.now());
        if (observation.kind === 'error') {
          deps.logger.warn('could not look at an instance refresh', {
            refreshId,
            error: String(observation.error),
          });
          return;
        }
        const view =
          observation.kind === 'found' ? observation.value.find((r) => r.id === refreshId) : undefined;
        if (!view) return;
        const progress = progressOf(view);
        const text = JSON.stringify(progress);
        if (text !== lastRefresh) {
          lastRefresh = text;
          run
            .emit({ type: 'refresh', refresh: progress, ...(rollback ? { rollback: true } : {}) })
            .catch((error: unknown) =>
              deps.logger.warn('could not record refresh progress', { error: String(error) }),
            );
        }
        if (!ACTIVE_REFRESH.includes(view.status)) end({ kind: 'final', refresh: progress });
        else checkRequest();
      },
    };
    const groupWatcher: Watcher<GroupView> = {
      onCall: () => run.plan.calls.count++,
      nextLook: () => groupSchedule.nextLook(),
      onObservation(observation: Observation<GroupView>) {
        groupSchedule.observed(deps.clock.now());
        if (observation.kind !== 'found') return;
        const instances = instancesOf(observation.value);
        const text = JSON.stringify([instances, observation.value.desiredCapacity]);
        if (text === lastInstances) return;
        lastInstances = text;
        run
          .emit({ type: 'instances', instances, desiredCapacity: observation.value.desiredCapacity })
          .catch((error: unknown) =>
            deps.logger.warn('could not record instances', { error: String(error) }),
          );
      },
    };
    const offGroup = poller.watchGroup(plan.group.name, groupWatcher);
    const offRefresh = poller.watchRefreshes(plan.group.name, refreshWatcher);
    run.wake = () => {
      schedule.now(deps.clock.now());
      groupSchedule.now(deps.clock.now());
      poller.wake();
      checkRequest();
    };
    if (run.signal.aborted) onAbort();
    else run.signal.addEventListener('abort', onAbort, { once: true });
    checkRequest();
  });
}
