import { randomBytes } from 'node:crypto';
import { isFinalStatus, stepsFor, type BakeEvent, type BakeRecord } from '../../../shared/bake';
import { WRAPPER_VERSION } from '../../../protocol/user-data';
import { applyEnvironment } from '../../../shared/environments';
import { ProjectSchema, type Project } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';
import { targetContext, toAppError } from '../aws/errors';
import { silentLogger } from '../logger';
import { createPruner } from '../delivery/retention/pruner';
import { newBakeId } from '../store';
import type { CallScope } from './aws-call';
import { BakeRun, type RunEnv } from './bake-run';
import { findIdenticalVersion, identityKey, sha256 } from './identity';
import { followLeader } from './join';
import { runPipeline, type PipelineHooks } from './pipeline';
import { SlotQueue } from './queue';
import { recoverOrphans } from './recovery';
import { RegionRegistry } from './region-services';
import { sweepBuilders } from './sweep';
import type { BakeEngine, BakeFilter, Connection, EngineDeps, StartRequest } from './types';

const DEFAULT_PER_REGION = 4;
const DEFAULT_POLL_MS = 2_000;
/** How often waitForFinal looks at a bake another process runs. */
const FOREIGN_POLL_MS = 1_000;

export function createBakeEngine(deps: EngineDeps): BakeEngine {
  const { store, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_MS;
  const regions = deps.regions ?? new RegionRegistry(clock, logger, pollIntervalMs);
  const slots = new SlotQueue(deps.limits?.perRegion ?? DEFAULT_PER_REGION);
  const active = new Map<string, BakeRun>();
  const leaders = new Map<string, BakeRun>();
  /** Each adopted bake's whole run, its claim's release included. */
  const running = new Set<Promise<void>>();
  const listeners = new Set<(event: BakeEvent) => void>();
  let closing = false;
  let watches = 0;

  const broadcast = (event: BakeEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.warn('a bake event listener threw', { error: String(error) });
      }
    }
  };
  const pruner = deps.dataDir
    ? createPruner({
        dataDir: deps.dataDir,
        store,
        connect: deps.connect,
        services: (connection) => regions.for(connection),
        clock,
        logger,
      })
    : undefined;
  const env: RunEnv = {
    store,
    clock,
    logger,
    appVersion: deps.appVersion,
    pollIntervalMs,
    broadcast,
    connect: deps.connect,
    regionServices: (connection) => regions.for(connection),
    ...(pruner ? { pruner } : {}),
  };

  const hooks: PipelineHooks = {
    afterPreflight(run) {
      const key = identityKey(run);
      const twin = () => {
        const leader = leaders.get(key);
        const healthy =
          leader &&
          !leader.signal.aborted &&
          !isFinalStatus(leader.record.status) &&
          leader.record.status !== 'cleaning-up';
        return healthy && leader !== run ? leader : undefined;
      };
      const leader = twin();
      if (leader) return { follow: leader };
      leaders.set(key, run);
      run.state.identityKey = key;
      return 'lead';
    },
    async acquireSlot(run) {
      let queued = false;
      const release = await slots.acquire(run.region.key, run.signal, (ahead) => {
        queued = true;
        const { running } = slots.snapshot(run.region.key);
        const message = `Waiting for a free slot in ${run.connection.region}: ${running} bake${running === 1 ? '' : 's'} running, ${ahead} ahead.`;
        run.emit({ type: 'status', status: 'queued', message }).catch(() => undefined);
      });
      if (queued) await run.emit({ type: 'status', status: 'running', message: 'Got a slot.' });
      return release;
    },
    follow: followLeader,
  };

  async function start(request: StartRequest): Promise<BakeRecord> {
    if (closing) throw new AppError('UNAVAILABLE', 'The bake engine is shutting down.');
    const parsed = ProjectSchema.safeParse(request.project);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `Project: ${describeZodError(parsed.error)}`);
    // A named environment is the project with its values: everything after this sees only the result.
    const project = applyEnvironment(parsed.data, request.environment);
    const connection = await deps.connect({
      profile: request.profile,
      ...((request.region ?? project.region) ? { region: request.region ?? project.region } : {}),
      ...(request.endpoint ? { endpoint: request.endpoint } : {}),
    });
    if (!request.force) await refuseIdentical(project, connection);
    const now = clock.now();
    const record: BakeRecord = {
      id: newBakeId(clock),
      project: project.name,
      profile: request.profile,
      region: connection.region,
      simulated: connection.simulated,
      ...(request.endpoint ? { endpoint: request.endpoint } : {}),
      trigger: request.trigger,
      ...(request.environment ? { environment: request.environment } : {}),
      status: 'queued',
      createdAt: now,
      steps: stepsFor(project).map((step) => ({ step, status: 'pending' })),
      seq: 0,
      snapshotIds: [],
      scriptSha256: sha256(project.initScript),
      cleanedUp: [],
      apiCalls: 0,
    };
    const created = { type: 'created', bakeId: record.id, seq: 0, at: now, record } as const;
    const nonce = randomBytes(16).toString('hex');
    const holder: { run?: BakeRun } = {};
    // Owned from the first moment and resumable from its own inputs, whatever happens to the project file.
    const { claim } = await store.bakes.create(created, {
      inputs: {
        project,
        profile: request.profile,
        ...(request.region ? { region: request.region } : {}),
        ...(request.endpoint ? { endpoint: request.endpoint } : {}),
        force: request.force === true,
        trigger: request.trigger,
        ...(request.environment ? { environment: request.environment } : {}),
        nonce,
        wrapperVersion: WRAPPER_VERSION,
      },
      onLost: () => {
        // Another process took the bake over (ours looked dead): stop without touching anything.
        if (!holder.run) return;
        holder.run.lost = true;
        holder.run.controller.abort(new AppError('CANCELLED', 'Taken over by another process.'));
      },
    });
    const run = new BakeRun(env, project, connection, regions.for(connection), record, { nonce });
    holder.run = run;
    run.request = request;
    run.claim = claim;
    broadcast(created);
    const after = request.after;
    adopt(run, async (r) => {
      if (after) await waitTurn(r, after);
      await runPipeline(r, hooks);
    });
    return run.snapshot();
  }

  /** Holds a bake until `after` has ended (here or in another process); a cancel ends the wait at once. */
  async function waitTurn(run: BakeRun, after: string): Promise<void> {
    await run.emit({ type: 'status', status: 'queued', message: `Waiting for ${after} to end first.` });
    const aborted = new Promise<void>((resolve) => {
      if (run.signal.aborted) resolve();
      run.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    while (!run.signal.aborted) {
      const other = active.get(after);
      if (other) {
        await Promise.race([other.final, aborted]);
        return;
      }
      const record = await store.bakes.get(after).catch(() => undefined);
      if (!record || isFinalStatus(record.status) || !(await store.bakes.liveOwner(after)).live) return;
      await clock.sleep(FOREIGN_POLL_MS, run.signal).catch(() => undefined);
    }
  }

  /** Before anything is recorded: "bake again?" is a question to the caller, not a failed bake. */
  async function refuseIdentical(project: Project, connection: Connection): Promise<void> {
    const scope: CallScope = {
      clock,
      limiter: regions.for(connection).limiter,
      signal: new AbortController().signal,
      onCall: () => undefined,
    };
    // Few tries, and EC2's errors in words: the caller is waiting on start() for this answer.
    const same = await findIdenticalVersion({ store, project, connection, scope, attempts: 3 }).catch(
      (error: unknown) => {
        throw error instanceof AppError ? error : toAppError(error, targetContext(connection.clients.target));
      },
    );
    if (!same) return;
    throw new AppError(
      'CONFLICT',
      `Version ${same.version} of ${same.project} (${same.imageId}) was baked from identical inputs and its image still exists.`,
      { reason: 'identical', imageId: same.imageId, version: String(same.version), bakeId: same.bakeId },
    );
  }

  /** Runs a bake here until it settles (or is left for the next start), then lets go of it. */
  function adopt(run: BakeRun, work: (run: BakeRun) => Promise<void>): void {
    if (closing) {
      void run.claim?.release();
      return;
    }
    active.set(run.id, run);
    const key = run.state.identityKey;
    if (key && !leaders.has(key)) leaders.set(key, run);
    const settled = work(run)
      .catch((error: unknown) =>
        logger.error('a bake ended unexpectedly', { bakeId: run.id, error: String(error) }),
      )
      .finally(async () => {
        active.delete(run.id);
        if (run.state.identityKey && leaders.get(run.state.identityKey) === run)
          leaders.delete(run.state.identityKey);
        await run.claim
          ?.release()
          .catch((error: unknown) => logger.warn('could not release a bake', { error: String(error) }));
      });
    running.add(settled);
    void settled.finally(() => running.delete(settled));
  }

  async function cancel(bakeId: string): Promise<void> {
    const run = active.get(bakeId);
    if (run) {
      run.controller.abort(new AppError('CANCELLED', 'The bake was cancelled.'));
      return;
    }
    const record = await store.bakes.get(bakeId);
    if (!record) throw new AppError('NOT_FOUND', `No bake ${bakeId}.`);
    if (isFinalStatus(record.status)) return;
    const owner = await store.bakes.liveOwner(bakeId);
    if (owner.live) {
      throw new AppError(
        'CONFLICT',
        `Bake ${bakeId} is run by ${owner.owner.actor} (pid ${owner.owner.pid}); cancel it there.`,
      );
    }
    throw new AppError(
      'CONFLICT',
      `Bake ${bakeId} was interrupted; the next recovery resumes it or cleans up after it.`,
    );
  }

  /** As a reader sees it: a bake running here from memory, any other as listed (dead ones interrupted). */
  async function get(bakeId: string): Promise<BakeRecord | undefined> {
    return active.get(bakeId)?.snapshot() ?? (await store.bakes.show(bakeId));
  }

  async function list(filter: BakeFilter = {}): Promise<BakeRecord[]> {
    const stored = await store.bakes.list({
      ...(filter.project ? { project: filter.project } : {}),
      ...(filter.limit ? { limit: filter.limit } : {}),
      ...(filter.before ? { before: filter.before } : {}),
    });
    const records = stored.map((r) => active.get(r.id)?.snapshot() ?? r);
    return filter.status ? records.filter((r) => r.status === filter.status) : records;
  }

  async function waitForFinal(bakeId: string): Promise<BakeRecord> {
    for (;;) {
      const run = active.get(bakeId);
      if (run) return run.final;
      const record = await store.bakes.get(bakeId);
      if (!record) throw new AppError('NOT_FOUND', `No bake ${bakeId}.`);
      if (isFinalStatus(record.status) || !(await store.bakes.liveOwner(bakeId)).live) return record;
      await clock.sleep(FOREIGN_POLL_MS);
    }
  }

  return {
    start,
    cancel,
    get,
    list,
    waitForFinal,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    watchConsole(bakeId, options = {}) {
      const run = active.get(bakeId);
      if (!run) return () => undefined;
      // A joined bake mirrors its leader's console: watching it is watching the leader's builder.
      const leader = run.record.joinedTo ? active.get(run.record.joinedTo) : undefined;
      return (leader ?? run).consoleFeed.watch(
        options.holder ?? `watch-${++watches}`,
        options.leaseMs ?? Number.POSITIVE_INFINITY,
      );
    },
    recover: () =>
      recoverOrphans({
        deps,
        env,
        regions,
        adopt: (run, work) =>
          adopt(run, async (resumed) => {
            const release = slots.occupy(resumed.region.key);
            try {
              await work(resumed);
            } finally {
              release();
            }
          }),
      }),
    setPerRegionLimit: (limit) => slots.setLimit(limit),
    regionServices: (connection) => regions.for(connection),
    pruner,
    sweep: (request) => sweepBuilders({ deps, env, regions, isActive: (id) => active.has(id) }, request),
    async shutdown(options = {}) {
      closing = true;
      for (const run of active.values()) {
        // Whatever a bake launched is journaled (or tagged), so the next start can resume it — or finish its
        // cleanup — without anyone waiting here for EC2. A bake with nothing launched has nothing to resume.
        if (!options.cancel && run.state.launchSent && run.record.joinedTo === undefined) run.suspend();
        else
          run.controller.abort(
            new AppError('CANCELLED', 'The bake was cancelled: Quadraxis is shutting down.'),
          );
      }
      while (running.size > 0) await Promise.all(running);
      await store.bakes.flush();
      regions.closeAll();
    },
  };
}
