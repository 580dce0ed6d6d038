import { setMaxListeners } from 'node:events';
import { CreateTagsCommand, DeregisterImageCommand, DisableImageCommand } from '@aws-sdk/client-ec2';
import { isFinalStatus, type BakeRecord } from '../../../../shared/bake';
import type { PruneOutcome, PrunePlan, PruneReport } from '../../../../shared/lifecycle';
import type { Project } from '../../../../shared/project';
import { AppError } from '../../../../shared/result';
import { awsErrorCode } from '../../bake/aws-call';
import type { RegionServices } from '../../bake/region-services';
import type { Connect, Connection } from '../../bake/types';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { Store } from '../../store';
import { deleteSnapshot } from '../copy';
import { parameterName } from '../plan';
import { RegionReach, type RegionHandle } from '../reach';
import { add, findUsage, instancesUsing, parameterUsing, type Usage, type UsageFinder } from './in-use';
import { autoScalingGroupsUsing, launchTemplatesUsing } from './in-use-templates';
import { projectImages, TAG_DISABLED_AT } from './inventory';
import {
  newJournalId,
  readJournal,
  withPruneLock,
  writeJournal,
  type JournalEntry,
  type PruneJournal,
} from './journal';
import { decide, describeUse } from './rules';

export interface PrunerDeps {
  dataDir: string;
  store: { versions: Pick<Store['versions'], 'list'>; bakes: Pick<Store['bakes'], 'get'> };
  connect: Connect;
  /** The engine's shared limiter and poller per account and region. */
  services(connection: Connection): RegionServices;
  clock: Clock;
  logger: Logger;
  /** More ways an image can be in use, beside instances, launch templates, groups and the parameter. */
  finders?: readonly UsageFinder[];
}

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
  function reachFor(
    request: { profile: string; endpoint?: string | undefined },
    count: () => void,
  ): RegionReach {
    return new RegionReach({
      connect: (region) =>
        deps.connect({
          profile: request.profile,
          region,
          ...(request.endpoint ? { endpoint: request.endpoint } : {}),
        }),
      services: (connection) => deps.services(connection),
      clock: deps.clock,
      onCall: count,
    });
  }

  function finders(parameter: string | undefined): UsageFinder[] {
    return [
      instancesUsing,
      launchTemplatesUsing,
      autoScalingGroupsUsing,
      parameterUsing(parameter),
      ...(deps.finders ?? []),
    ];
  }

  async function makePlan(request: PruneRequest, count: () => void): Promise<PrunePlan> {
    const { project } = request;
    const rules = project.retention;
    if (!rules)
      throw new AppError(
        'INVALID_INPUT',
        `${project.name} has no retention rules: add retention (keep, maxAgeDays) to say which images to keep.`,
      );
    const signal = roomy(request.signal);
    const home = await deps.connect({
      profile: request.profile,
      ...((request.region ?? project.region) ? { region: request.region ?? project.region } : {}),
      ...(request.endpoint ? { endpoint: request.endpoint } : {}),
    });
    const versions = await deps.store.versions.list(project.name, { limit: 10_000 });
    const regions = [
      ...new Set([
        home.region,
        ...(project.distribution?.regions ?? []),
        // A region the project no longer distributes to still holds the images it once copied there.
        ...versions.flatMap((v) =>
          v.profile === request.profile ? [v.region, ...(v.images ?? []).map((i) => i.region)] : [],
        ),
      ]),
    ];
    const byBake = new Map(versions.map((v) => [v.bakeId, v.version]));
    const parameter = project.distribution?.ssmParameter
      ? parameterName(project.distribution.ssmParameter, project.name)
      : undefined;
    const reach = reachFor(request, count);
    const now = deps.clock.now();
    const problems: PrunePlan['problems'] = [];
    const perRegion = await Promise.all(
      regions.map(async (region) => {
        try {
          const handle = await reach.region(region);
          const images = await projectImages(handle, project.name, signal);
          const usage = await findUsage(
            handle,
            images.map((i) => i.imageId),
            finders(parameter),
            signal,
          );
          await runningBakes(images, usage);
          return decide(images, rules, usage, now, byBake);
        } catch (error) {
          if (signal.aborted) throw error;
          problems.push({ region, message: error instanceof Error ? error.message : String(error) });
          return [];
        }
      }),
    );
    const journal = await readJournal(deps.dataDir, project.name);
    const pending = journal && !journal.finishedAt ? journal.entries.filter((e) => !terminal(e)) : [];
    return {
      project: project.name,
      profile: request.profile,
      generatedAt: now,
      regions,
      rules: {
        ...(rules.keep !== undefined ? { keep: rules.keep } : {}),
        ...(rules.maxAgeDays !== undefined ? { maxAgeDays: rules.maxAgeDays } : {}),
        ...(rules.disableForDays !== undefined ? { disableForDays: rules.disableForDays } : {}),
      },
      images: perRegion.flat(),
      problems,
      ...(journal && pending.length > 0
        ? {
            unfinished: {
              startedAt: journal.startedAt,
              profile: journal.profile,
              pending: pending.map((e) => ({
                region: e.region,
                imageId: e.imageId,
                action: e.action,
                state: e.state,
              })),
            },
          }
        : {}),
    };
  }

  /**
   * An image whose bake has not finished may be the source of a copy under way, or about to be published:
   * it counts as in use until its bake ends (in any process sharing this data directory).
   */
  async function runningBakes(
    images: readonly { imageId: string; bakeId: string }[],
    usage: Usage,
  ): Promise<void> {
    const records = new Map<string, Promise<BakeRecord | undefined>>();
    for (const image of images) {
      let record = records.get(image.bakeId);
      if (!record) {
        record = deps.store.bakes.get(image.bakeId).catch(() => undefined);
        records.set(image.bakeId, record);
      }
      const found = await record;
      if (found && !isFinalStatus(found.status))
        add(usage, image.imageId, { kind: 'bake', id: image.bakeId, detail: found.status });
    }
  }

  /** Carries a journal to its end: every entry done, skipped (in use) or failed; journaled after each action. */
  async function carryOut(
    journal: PruneJournal,
    resumed: boolean,
    signal: AbortSignal,
    count: () => void,
    onOutcome: ((outcome: PruneOutcome) => void) | undefined,
  ): Promise<PruneOutcome[]> {
    const reach = reachFor(journal, count);
    const save = () => writeJournal(deps.dataDir, journal);
    const outcomes: PruneOutcome[] = [];
    const regions = [...new Set(journal.entries.filter((e) => !terminal(e)).map((e) => e.region))];
    for (const region of regions) {
      const entries = journal.entries.filter((e) => e.region === region && !terminal(e));
      let handle: RegionHandle;
      let usage;
      try {
        handle = await reach.region(region);
        // Asked now, not when the plan was made: whatever started using an image since keeps it.
        const planned = entries.filter((e) => e.state === 'planned');
        usage = await findUsage(
          handle,
          planned.map((e) => e.imageId),
          finders(journal.parameter),
          signal,
        );
        await runningBakes(
          planned.flatMap((e) => (e.bakeId ? [{ imageId: e.imageId, bakeId: e.bakeId }] : [])),
          usage,
        );
      } catch (error) {
        if (signal.aborted) throw error;
        for (const entry of entries) {
          entry.message = error instanceof Error ? error.message : String(error);
          outcomes.push(outcome(entry, resumed, 'failed'));
        }
        continue;
      }
      for (const entry of entries) {
        try {
          const uses = usage.get(entry.imageId) ?? [];
          if (entry.state === 'planned' && uses.length > 0) {
            entry.state = 'skipped';
            entry.message = `in use: ${uses.map(describeUse).join(', ')}`;
            await save();
          } else {
            await retire(handle, entry, save, signal);
          }
          outcomes.push(outcome(entry, resumed));
        } catch (error) {
          if (signal.aborted) throw error;
          entry.message = error instanceof Error ? error.message : String(error);
          await save();
          outcomes.push(outcome(entry, resumed, 'failed'));
        }
        onOutcome?.(outcomes.at(-1)!);
      }
    }
    if (journal.entries.every(terminal)) {
      journal.finishedAt = deps.clock.now();
      await save();
    }
    return outcomes;
  }

  async function retire(
    handle: RegionHandle,
    entry: JournalEntry,
    save: () => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    if (entry.action === 'disable') {
      await handle.call(
        'CreateTags',
        (o) =>
          handle.clients.ec2.send(
            new CreateTagsCommand({
              Resources: [entry.imageId],
              Tags: [{ Key: TAG_DISABLED_AT, Value: new Date(deps.clock.now()).toISOString() }],
            }),
            o,
          ),
        signal,
      );
      await handle.call(
        'DisableImage',
        (o) => handle.clients.ec2.send(new DisableImageCommand({ ImageId: entry.imageId }), o),
        signal,
      );
      entry.state = 'done';
      await save();
      return;
    }
    if (entry.state === 'planned') {
      try {
        await handle.call(
          'DeregisterImage',
          (o) => handle.clients.ec2.send(new DeregisterImageCommand({ ImageId: entry.imageId }), o),
          signal,
        );
      } catch (error) {
        if (awsErrorCode(error) !== 'InvalidAMIID.NotFound') throw error;
      }
      entry.state = 'image-gone';
      await save();
    }
    for (const snapshotId of entry.snapshotIds) {
      if (entry.deletedSnapshots.includes(snapshotId)) continue;
      await deleteSnapshot(handle, snapshotId, signal);
      entry.deletedSnapshots.push(snapshotId);
      await save();
    }
    entry.state = 'done';
    await save();
  }

  return {
    async plan(request) {
      let calls = 0;
      return makePlan(request, () => calls++);
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
          outcomes.push(...(await carryOut(interrupted, true, signal, count, onOutcome)));
        }
        const plan = await makePlan(request, count);
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
            ...(request.project.distribution?.ssmParameter
              ? { parameter: parameterName(request.project.distribution.ssmParameter, request.project.name) }
              : {}),
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
          outcomes.push(...(await carryOut(journal, false, signal, count, onOutcome)));
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

function terminal(entry: JournalEntry): boolean {
  return entry.state === 'done' || entry.state === 'skipped';
}

function outcome(entry: JournalEntry, resumed: boolean, failed?: 'failed'): PruneOutcome {
  const result: PruneOutcome['result'] = failed
    ? 'failed'
    : entry.state === 'skipped'
      ? 'skipped'
      : entry.action === 'disable'
        ? 'disabled'
        : 'deregistered';
  return {
    region: entry.region,
    imageId: entry.imageId,
    result,
    snapshotsDeleted: [...entry.deletedSnapshots],
    ...(entry.message ? { message: entry.message } : {}),
    ...(resumed ? { resumed: true } : {}),
  };
}
