import { STEP_LABELS, type BakeRecord, type BakeStep } from '../../../shared/bake';
import { AppError } from '../../../shared/result';
import type { BakeClaim } from '../store';
import { BakeRun, BakeRunCore, type RunEnv } from './bake-run';
import { findBakeInstances } from './find-resources';
import { identityKey } from './identity';
import { cleanUpWithStep, finish } from './pipeline';
import type { RegionRegistry } from './region-services';
import { resumedState, resumePipeline, resumePoint } from './resume';
import type { EngineDeps, RecoveredBake, RecoveryReport } from './types';

export interface RecoveryContext {
  deps: EngineDeps;
  env: RunEnv;
  regions: RegionRegistry;
  /** Runs a resumed bake in the engine like a started one: listed, cancellable, left again at shutdown. */
  adopt(run: BakeRun, work: (run: BakeRun) => Promise<void>): void;
}

/**
 * Finds bakes left unfinished by a process that died (the store knows: no live owner) and settles each.
 * A healthy bake is resumed from its stored inputs wherever what its next step works on still exists —
 * a running script is waited for on the same builder, a stopped builder is imaged, a pending image is
 * waited for — and runs on in this engine; recover() does not wait for it. A bake that was already failing
 * or being cleaned up, or whose builder is gone, is cleaned up; one that launched nothing is marked
 * interrupted. Recovery never restarts a bake that launched nothing: that would be a new bake, unasked.
 */
export async function recoverOrphans(ctx: RecoveryContext): Promise<RecoveryReport> {
  const bakes: RecoveredBake[] = [];
  for (const orphan of await ctx.deps.store.bakes.orphans()) {
    const lost = { run: undefined as BakeRun | undefined };
    let claim: BakeClaim;
    try {
      claim = await ctx.deps.store.bakes.claim(orphan.id, () => {
        // Another process took it over after all: stop without touching anything.
        if (!lost.run) return;
        lost.run.lost = true;
        lost.run.controller.abort(new AppError('CANCELLED', 'Taken over by another process.'));
      });
    } catch (error) {
      bakes.push(outcome(orphan, 'skipped', error instanceof Error ? error.message : String(error)));
      continue;
    }
    try {
      // As the store will append to it, now that it is ours.
      const record = (await ctx.deps.store.bakes.get(orphan.id)) ?? orphan;
      const { report, resume } = await recoverOne(ctx, record);
      if (resume) {
        lost.run = resume.run;
        resume.run.claim = claim;
        ctx.adopt(resume.run, (run) => resumePipeline(run, resume.from));
      } else await claim.release();
      bakes.push(report);
    } catch (error) {
      ctx.env.logger.error('bake recovery failed', { bakeId: orphan.id, error: String(error) });
      bakes.push(outcome(orphan, 'unreachable', error instanceof Error ? error.message : String(error)));
      await claim.release().catch(() => undefined);
    }
  }
  return { bakes };
}

interface Recovery {
  report: RecoveredBake;
  resume?: { run: BakeRun; from: BakeStep };
}

function started(record: BakeRecord, step: BakeStep): boolean {
  const status = record.steps.find((s) => s.step === step)?.status;
  return status !== undefined && status !== 'pending';
}

function outcome(
  record: BakeRecord,
  kind: RecoveredBake['outcome'],
  message: string,
  actions: string[] = [],
): RecoveredBake {
  return { bakeId: record.id, project: record.project, outcome: kind, actions, message };
}

async function recoverOne(ctx: RecoveryContext, record: BakeRecord): Promise<Recovery> {
  const gone = 'The process running this bake stopped before it finished.';
  const madeNothing = record.joinedTo !== undefined || !started(record, 'launch');
  // A sandbox started inside the dead process died with it: nothing real was made, nothing can be reached.
  const inProcessSandbox = record.simulated && record.endpoint === undefined;
  if (madeNothing || inProcessSandbox) {
    const minimal = await markOnly(ctx, record, `${gone} It had not launched anything that still exists.`);
    return { report: outcome(record, 'interrupted', minimal) };
  }

  let connection;
  try {
    connection = await ctx.deps.connect({
      profile: record.profile,
      region: record.region,
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
    });
  } catch (error) {
    const message = `Could not connect to resume it or check for leftovers: ${String(error)}`;
    return { report: outcome(record, 'unreachable', message) };
  }
  const region = ctx.regions.for(connection);
  const core = new BakeRunCore(ctx.env, connection, region, record, resumedState(record, ''));
  let builders: string[];
  try {
    // Also a probe: with the endpoint gone (a stopped sandbox) there is nothing to clean and no point waiting.
    builders = await findBakeInstances(core, core.signal, 2);
  } catch (error) {
    if (record.simulated) {
      const message = await markOnly(ctx, record, `${gone} Its sandbox is gone.`);
      return { report: outcome(record, 'interrupted', message) };
    }
    const message = `Could not reach AWS to resume it or check for leftovers: ${String(error)}`;
    return { report: outcome(record, 'unreachable', message) };
  }

  // A bake already failing or being cancelled when its process died is finished off, never resumed.
  const healthy = record.status !== 'cleaning-up' && record.error === undefined;
  const inputs = healthy ? await ctx.deps.store.bakes.inputs(record.id) : undefined;
  const from = inputs ? resumePoint(record, builders) : undefined;
  if (inputs && from) {
    const run = new BakeRun(
      ctx.env,
      inputs.project,
      connection,
      region,
      record,
      resumedState(record, inputs.nonce, inputs.wrapperVersion),
    );
    run.request = { force: inputs.force };
    // An identical bake started now joins this one instead of launching a second builder.
    if (run.state.base) run.state.identityKey = identityKey(run);
    const message = `${gone} Resumed at "${STEP_LABELS[from]}".`;
    return { report: outcome(record, 'resumed', message), resume: { run, from } };
  }
  const problems = await cleanUpWithStep(core);
  const removed = core.record.cleanedUp.length > 0 ? ` Removed: ${core.record.cleanedUp.join(', ')}.` : '';
  const message = `${gone}${removed}${problems.length > 0 ? ` Not removed: ${problems.join('; ')}. Run \`quadraxis sweep\`.` : ''}`;
  await finish(core, 'interrupted', message);
  return { report: outcome(record, 'cleaned', message, core.record.cleanedUp) };
}

/** Nothing to clean: journal the end so the bake stops showing as running. */
async function markOnly(ctx: RecoveryContext, record: BakeRecord, message: string): Promise<string> {
  const at = ctx.env.clock.now();
  const ended: BakeRecord = {
    ...record,
    status: 'interrupted',
    message,
    endedAt: at,
    steps: record.steps.map((s) =>
      s.status === 'pending' || s.status === 'running' ? { ...s, status: 'skipped' } : s,
    ),
  };
  const events = [
    {
      type: 'status' as const,
      bakeId: record.id,
      seq: record.seq + 1,
      at,
      status: 'interrupted' as const,
      message,
    },
    {
      type: 'finished' as const,
      bakeId: record.id,
      seq: record.seq + 2,
      at,
      record: { ...ended, seq: record.seq + 2 },
    },
  ];
  const final = await ctx.deps.store.bakes.appendEvents(record.id, events);
  for (const event of events) ctx.env.broadcast(event);
  if (final.status !== 'interrupted')
    throw new AppError('INTERNAL', `Bake ${record.id} did not end as interrupted.`);
  return message;
}
