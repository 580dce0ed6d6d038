import { setMaxListeners } from 'node:events';
import type { PruneOutcome, PrunePlan, PruneReport } from '../../../../shared/lifecycle';
import type { Project } from '../../../../shared/project';
import { parameterNames } from '../plan';
import { carryOut } from './carry-out';
import { pruneContext, type PrunerDeps } from './context';
import { newJournalId, readJournal, withPruneLock, writeJournal, type PruneJournal } from './journal';
import { makePlan } from './make-plan';

export type { PrunerDeps } from './context';

export interface PruneRequest {
  project: Project;
  profile: string;
  /** The home region (default: the project's, else the profile's). */
  region?: string;
  endpoint?: string;
  signal?: AbortSignal;
}

/**
 * Shown the plan; answers true to retire everything it would, false for nothing, or the image ids to retire
 * (only those the fresh plan still retires count: one that came into use since the person looked stays).
 */
export type Confirm = (plan: PrunePlan) => Promise<boolean | readonly string[]>;

export interface Pruner {
  plan(request: PruneRequest): Promise<PrunePlan>;
  prune(
    request: PruneRequest,
    confirm: Confirm,
    onOutcome?: (outcome: PruneOutcome) => void,
  ): Promise<PruneReport>;
}

/**
 * Retention for a project, on demand (`quadraxis prune`, the Versions tab) and after a bake. A prune first
 * finishes any prune of the project that was interrupted, then plans afresh, asks, journals what it will
 * retire (with each image's snapshots) and retires region by region: DeregisterImage, then DeleteSnapshot
 * for each of its snapshots — or DisableImage first when the project wants a grace period — asking once more,
 * right before acting in each region, whether anything uses the images there. One prune per project runs at
 * a time across processes.
 */
export function createPruner(deps: PrunerDeps): Pruner {
  const ctx = pruneContext(deps);
  return {
    async plan(request) {
      let calls = 0;
      return makePlan(ctx, request, roomy(request.signal), () => calls++);
    },

    async prune(request, confirm, onOutcome) {
      const signal = roomy(request.signal);
      let calls = 0;
      const count = () => calls++;
      return withPruneLock(deps.dataDir, request.project.name, async () => {
        const outcomes: PruneOutcome[] = [];
        const interrupted = await readJournal(deps.dataDir, request.project.name);
        if (interrupted && !interrupted.finishedAt) {
          deps.logger.info('finishing an interrupted prune', {
            project: interrupted.project,
            id: interrupted.id,
          });
          outcomes.push(...(await carryOut(ctx, interrupted, true, signal, count, onOutcome)));
        }
        const plan = await makePlan(ctx, request, signal, count);
        const answer = await confirm(plan);
        const chosen = plan.images.filter(
          (i) =>
            i.action !== 'keep' && (answer === true || (Array.isArray(answer) && answer.includes(i.imageId))),
        );
        if (chosen.length > 0) {
          const journal: PruneJournal = {
            id: newJournalId(),
            project: request.project.name,
            profile: request.profile,
            ...(request.endpoint ? { endpoint: request.endpoint } : {}),
            parameters: parameterNames(request.project),
            startedAt: deps.clock.now(),
            entries: chosen.map((i) => ({
              region: i.region,
              imageId: i.imageId,
              action: i.action === 'disable' ? 'disable' : 'deregister',
              ...(i.bakeId ? { bakeId: i.bakeId } : {}),
              snapshotIds: i.snapshotIds,
              state: 'planned',
              deletedSnapshots: [],
            })),
          };
          // Written before anything is touched: the snapshot ids are what a crash would otherwise lose.
          await writeJournal(deps.dataDir, journal);
          outcomes.push(...(await carryOut(ctx, journal, false, signal, count, onOutcome)));
        }
        return { plan, acted: answer !== false && outcomes.length > 0, outcomes, apiCalls: calls };
      });
    },
  };
}

/** One signal for many calls and waits at once across regions: room for all their listeners. */
function roomy(signal: AbortSignal | undefined): AbortSignal {
  const own = signal ? AbortSignal.any([signal]) : new AbortController().signal;
  setMaxListeners(500, own);
  return own;
}
