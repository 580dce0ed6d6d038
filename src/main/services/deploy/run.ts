import type { Deployment, DeployEvent, DeployStep } from '../../../shared/deploy';
import { applyDeployEvent } from '../../../shared/deploy-reducer';
import type { AppError } from '../../../shared/result';
import type { DeployPlan } from './plan';
import type { DeployDeps } from './types';

/** A DeployEvent before the run stamps it with deployment id, seq and time. */
export type DeployEventBody = DeployEvent extends infer E
  ? E extends DeployEvent
    ? Omit<E, 'deployId' | 'seq' | 'at'>
    : never
  : never;

/** What a person asked for while the refresh runs; the watch acts on it at its next look. */
export type Request = { kind: 'cancel' } | { kind: 'rollback' };

/**
 * One deployment in this process: its record (kept by applying its own events), the plan it runs from,
 * and `emit`, which saves the record (atomically, fsync'ed) BEFORE anyone hears of the change — so what
 * the UI has seen, a crash cannot unsee.
 */
export class DeployRun {
  readonly controller = new AbortController();
  record: Deployment;
  /** A cancel or roll back asked for; the watch acts on it. */
  requested: Request | undefined;
  /** Wakes the watch to act on a request at once. */
  wake: () => void = () => undefined;
  private writes: Promise<unknown> = Promise.resolve();
  private settle!: (record: Deployment) => void;
  readonly final: Promise<Deployment>;

  constructor(
    readonly deps: DeployDeps,
    readonly plan: DeployPlan,
    record: Deployment,
    private readonly broadcast: (event: DeployEvent) => void,
  ) {
    this.record = record;
    this.final = new Promise((resolve) => (this.settle = resolve));
  }

  get id(): string {
    return this.record.id;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Applies, saves, then broadcasts the events, in order. */
  emit(...bodies: DeployEventBody[]): Promise<void> {
    const base = this.record.seq;
    const at = this.deps.clock.now();
    const events = bodies.map((body, index) => ({ ...body, deployId: this.id, seq: base + index + 1, at }));
    let next = this.record;
    for (const event of events) next = applyDeployEvent(next, event);
    next = { ...next, apiCalls: this.plan.calls.count };
    this.record = next;
    const snapshot = next;
    const written = this.writes.then(() => this.deps.store.deployments.save(snapshot));
    this.writes = written.catch(() => undefined);
    return written.then(() => {
      for (const event of events) this.broadcast(event);
    });
  }

  step(
    step: DeployStep,
    status: 'running' | 'done' | 'failed' | 'skipped' | 'cancelled',
    message?: string,
  ): Promise<void> {
    return this.emit({ type: 'step', step, status, ...(message !== undefined ? { message } : {}) });
  }

  /** The last event: the record with its final status, saved (which lets go of it), then resolved. */
  async finish(status: Deployment['status'], message: string, error?: AppError): Promise<Deployment> {
    // A step still running ends with the deployment; one never reached is skipped.
    const now = this.deps.clock.now();
    const steps = this.record.steps.map((s) =>
      s.status === 'running'
        ? { ...s, status: status === 'succeeded' ? ('done' as const) : ('cancelled' as const), endedAt: now }
        : s.status === 'pending'
          ? { ...s, status: 'skipped' as const }
          : s,
    );
    const record: Deployment = {
      ...this.record,
      status,
      message,
      steps,
      endedAt: this.deps.clock.now(),
      apiCalls: this.plan.calls.count,
      ...(error
        ? {
            error: {
              code: error.code,
              message: error.message,
              ...(error.details ? { details: error.details } : {}),
            },
          }
        : {}),
    };
    await this.emit({ type: 'finished', record });
    this.settle(this.record);
    return this.record;
  }
}
