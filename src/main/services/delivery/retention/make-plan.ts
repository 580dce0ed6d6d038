import type { PrunePlan } from '../../../../shared/lifecycle';
import { AppError } from '../../../../shared/result';
import { parameterNames } from '../plan';
import type { PruneContext } from './context';
import { findUsage } from './in-use';
import { projectImages } from './inventory';
import { readJournal } from './journal';
import type { PruneRequest } from './pruner';
import { decide } from './rules';
import { terminal } from './carry-out';

/**
 * What a prune would do now, region by region — the home region, the distribution regions and any region a
 * version was recorded in — with every reason each image stays or goes, and what an interrupted prune left.
 * A region that cannot be looked at is reported and nothing there is touched.
 */
export async function makePlan(
  ctx: PruneContext,
  request: PruneRequest,
  signal: AbortSignal,
  count: () => void,
): Promise<PrunePlan> {
  const { deps } = ctx;
  const { project } = request;
  const rules = project.retention;
  if (!rules)
    throw new AppError(
      'INVALID_INPUT',
      `${project.name} has no retention rules: add retention (keep, maxAgeDays) to say which images to keep.`,
    );
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
      // An environment that bakes in its own region has its images there, recorded on this machine or not.
      ...Object.values(project.environments ?? {}).flatMap((e) => (e.region ? [e.region] : [])),
      // A region the project no longer distributes to still holds the images it once copied there.
      ...versions.flatMap((v) =>
        v.profile === request.profile ? [v.region, ...(v.images ?? []).map((i) => i.region)] : [],
      ),
    ]),
  ];
  // Images baked before the environment tag existed are grouped by what their version recorded.
  const byBake = new Map(
    versions.map((v) => [
      v.bakeId,
      { version: v.version, ...(v.environment !== undefined ? { environment: v.environment } : {}) },
    ]),
  );
  // Every environment's parameter (and the project's own values'): an image any of them names is in use.
  const parameters = parameterNames(project);
  const reach = ctx.reachFor(request, count);
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
          ctx.finders(parameters),
          signal,
        );
        await ctx.runningBakes(images, usage);
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
