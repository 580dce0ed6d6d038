import type { Deployment, DeployEvent, DeployStep, DeployStepState } from './deploy';

/**
 * The one way a Deployment changes: by applying its events in seq order — in the deploy service, in the
 * store when it saves the record, and in the renderer on top of a `deploy:get` snapshot, so all three
 * agree. Pure; an event at or below the record's seq is already applied and ignored.
 */
export function applyDeployEvent(record: Deployment | undefined, event: DeployEvent): Deployment {
  if (event.type === 'created') return { ...event.record, seq: event.seq };
  if (!record)
    throw new Error(`Deployment ${event.deployId}: a "${event.type}" event arrived before "created".`);
  if (record.id !== event.deployId)
    throw new Error(`Event for deployment ${event.deployId} applied to deployment ${record.id}.`);
  if (event.seq <= record.seq) return record;
  const next: Deployment = { ...record, seq: event.seq };
  switch (event.type) {
    case 'step':
      next.steps = withStep(record.steps, event.step, event.status, event.at, event.message);
      return next;
    case 'template':
      next.launchTemplate = event.launchTemplate;
      return next;
    case 'refresh':
      if (event.rollback) next.rollbackRefreshId = event.refresh.id;
      else next.refreshId = event.refresh.id;
      next.refresh = event.refresh;
      return next;
    case 'instances':
      next.instances = event.instances;
      next.desiredCapacity = event.desiredCapacity;
      return next;
    case 'error':
      next.error = event.error;
      return next;
    case 'finished':
      return { ...event.record, seq: event.seq };
  }
}

function withStep(
  steps: DeployStepState[],
  step: DeployStep,
  status: DeployStepState['status'],
  at: number,
  message: string | undefined,
): DeployStepState[] {
  const existing = steps.find((s) => s.step === step);
  const base: DeployStepState = existing ?? { step, status: 'pending' };
  const updated: DeployStepState = {
    ...base,
    status,
    ...(status === 'running' && base.startedAt === undefined ? { startedAt: at } : {}),
    ...(status !== 'running' && status !== 'pending' ? { endedAt: at } : {}),
    ...(message !== undefined ? { message } : {}),
  };
  return existing ? steps.map((s) => (s === existing ? updated : s)) : [...steps, updated];
}
