import { isFinalStatus, type BakeRecord } from '../../../shared/bake';
import {
  CONSOLE_TAIL_LINES,
  CONSOLE_WATCH_LEASE_MS,
  type BakeDetails,
  type BakeVersionSummary,
} from '../../../shared/ipc/bake.contract';
import { AppError } from '../../../shared/result';
import type { AppContext } from '../app-context';
import { watchForeignBakes } from '../foreign-bakes';
import type { Handlers } from '../dispatch';
import { LiveConsole } from './bake-live-console';
import { startBake } from './bake-start';

type BakeHandlers = Pick<
  Handlers,
  | 'bake:start'
  | 'bake:cancel'
  | 'bake:get'
  | 'bake:list'
  | 'bake:console'
  | 'bake:watch'
  | 'bake:get-defaults'
>;

/** One per app context: wireBakeEvents feeds it, bake:get reads it. */
const liveConsoles = new WeakMap<AppContext, LiveConsole>();
function liveConsole(ctx: AppContext): LiveConsole {
  let live = liveConsoles.get(ctx);
  if (!live) liveConsoles.set(ctx, (live = new LiveConsole(CONSOLE_TAIL_LINES)));
  return live;
}

/**
 * Every engine event goes to the renderers as it is: the engine already batches console lines per poll,
 * so there is one console event per bake per tick at most, and nothing here grows with the log.
 */
export function wireBakeEvents(ctx: AppContext): () => void {
  const live = liveConsole(ctx);
  const unsubscribe = ctx.runtime.engine.subscribe((event) => {
    live.observe(event);
    ctx.hub.emit('bake:event', event);
  });
  // Bakes other processes run on this data directory reach the renderers as `bake:changed`.
  const unwatch = watchForeignBakes(ctx);
  return () => {
    unsubscribe();
    unwatch();
  };
}

export function bakeHandlers(ctx: AppContext): BakeHandlers {
  const { engine, store } = ctx.runtime;

  const getRecord = async (id: string): Promise<BakeRecord> => {
    const record = await engine.get(id);
    if (!record) throw new AppError('NOT_FOUND', `There is no bake ${id}.`);
    return record;
  };

  const versionOf = async (record: BakeRecord): Promise<BakeVersionSummary | undefined> => {
    if (record.version === undefined) return undefined;
    const version = await store.versions.get(record.project, record.version).catch(() => undefined);
    if (!version) return undefined;
    const { imageName, tags, instanceType, baseImageId, durationMs } = version;
    return { version: version.version, imageName, tags, instanceType, baseImageId, durationMs };
  };

  return {
    'bake:start': (request) => startBake(ctx, request),

    'bake:cancel': async (id) => {
      await engine.cancel(id);
      return null;
    },

    'bake:get': async (id): Promise<BakeDetails> => {
      const record = await getRecord(id);
      const live = liveConsole(ctx).upTo(id, record.seq);
      let consoleTail: string[];
      let consoleLines: number;
      if (live) {
        consoleTail = live.tail;
        consoleLines = live.total;
      } else {
        // Finished (the saved log is complete) or run by another process (it may be a poll ahead).
        const lines = await store.bakes.readConsole(id);
        consoleTail = lines.slice(-CONSOLE_TAIL_LINES);
        consoleLines = lines.length;
      }
      const version = await versionOf(record);
      return { record, consoleTail, consoleLines, ...(version ? { version } : {}) };
    },

    'bake:list': async ({ project, status, limit }) => {
      // The engine filters by status after reading, so ask for more when filtering to still fill the page.
      const records = await engine.list({ ...(project ? { project } : {}), limit: status ? 1000 : limit });
      const wanted = status ? records.filter((r) => r.status === status) : records;
      const active = wanted.filter((r) => !isFinalStatus(r.status));
      const done = wanted.filter((r) => isFinalStatus(r.status));
      return [...active, ...done].slice(0, limit);
    },

    'bake:watch': ({ id, watching }, { senderId }) => {
      // One lease per window and bake: renewing replaces it, letting go ends it.
      const release = engine.watchConsole(id, {
        holder: `window:${senderId}`,
        leaseMs: CONSOLE_WATCH_LEASE_MS,
      });
      if (!watching) release();
      return null;
    },

    'bake:console': async ({ id, fromLine, limit }) => {
      await getRecord(id);
      const lines = await store.bakes.readConsole(id);
      return { lines: lines.slice(fromLine, fromLine + limit), total: lines.length };
    },

    'bake:get-defaults': async ({ project: name }) => {
      const entries = await store.projects.list();
      const entry = name === undefined ? undefined : entries.find((e) => e.project.name === name);
      if (name !== undefined && !entry)
        throw new AppError('NOT_FOUND', `There is no project named "${name}".`);
      const settings = ctx.settings.get();
      const list = await ctx.runtime.aws.profiles();
      const profiles = list.profiles.map(({ name: profileName, label, usable, region, problems }) => ({
        name: profileName,
        label,
        usable,
        problems,
        ...(region ? { region } : {}),
      }));
      const chosen = profiles.find((p) => p.name === settings.profile);
      const projectRegion = entry?.project.region;
      const region = projectRegion ?? settings.region ?? chosen?.region;
      return {
        ...(chosen ? { profile: chosen.name } : {}),
        ...(region ? { region } : {}),
        ...(projectRegion ? { projectRegion } : {}),
        ...(list.currentProfile ? { suggestedProfile: list.currentProfile } : {}),
        profiles,
        projects: entries.map((e) => e.project.name),
        instanceTypes: Object.fromEntries(entries.map((e) => [e.project.name, e.project.instanceType])),
        environments: Object.fromEntries(
          entries
            .filter((e) => e.project.environments && Object.keys(e.project.environments).length > 0)
            .map((e) => [
              e.project.name,
              Object.entries(e.project.environments ?? {}).map(([envName, env]) => ({
                name: envName,
                ...(env.description ? { description: env.description } : {}),
                ...(env.region ? { region: env.region } : {}),
                ...(env.instanceType ? { instanceType: env.instanceType } : {}),
              })),
            ]),
        ),
      };
    },
  };
}
