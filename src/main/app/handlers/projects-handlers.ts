import { gzipSync } from 'node:zlib';
import type { BakeRecord } from '../../../shared/bake';
import type {
  LastBake,
  ProjectSummary,
  ProjectsChanged,
  ScriptMeasure,
} from '../../../shared/ipc/projects.contract';
import type { Project } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import { buildUserData, measureUserData, USER_DATA_LIMIT_BYTES } from '../../services/bake';
import { checkProjectText, exportProjectYaml, type ProjectEntry } from '../../services/store';
import type { AppContext } from '../app-context';
import type { Handlers } from '../dispatch';
import { webhookController } from '../webhook-controller';

type ProjectsChannel =
  | 'projects:list'
  | 'projects:get'
  | 'projects:create'
  | 'projects:save'
  | 'projects:rename'
  | 'projects:duplicate'
  | 'projects:delete'
  | 'projects:import'
  | 'projects:export'
  | 'projects:measure-script';

export function projectsHandlers(ctx: AppContext): Pick<Handlers, ProjectsChannel> {
  const { store } = ctx.runtime;
  const changed = (payload: ProjectsChanged) => ctx.hub.emit('projects:changed', payload);
  const existing = async (name: string): Promise<ProjectEntry> => {
    const entry = await store.projects.get(name);
    if (!entry) throw new AppError('NOT_FOUND', `No project named "${name}".`);
    return entry;
  };

  return {
    'projects:list': async () => {
      const entries = await store.projects.list();
      return Promise.all(
        entries.map(async (entry) =>
          summarise(entry, (await store.bakes.list({ project: entry.project.name, limit: 1 }))[0]),
        ),
      );
    },
    'projects:get': (name) => existing(name),
    'projects:create': async ({ project }) => {
      const entry = await store.projects.create(project);
      changed({ name: entry.project.name, reason: 'created' });
      return entry;
    },
    'projects:save': async ({ project, revision, overwrite }) => {
      // Overwrite is the person's answer to a CONFLICT: save over whatever is on disk now.
      const base = overwrite ? ((await store.projects.get(project.name))?.revision ?? revision) : revision;
      const entry = await store.projects.save(project, { revision: base });
      changed({ name: entry.project.name, reason: 'saved' });
      return entry;
    },
    'projects:rename': async ({ from, to, revision }) => {
      const entry = await store.projects.rename(from, to, revision ? { revision } : {});
      await followWebhook(ctx, from, () =>
        webhookController(ctx).state.triggers.move(from, entry.project.name),
      );
      changed({ name: from, reason: 'renamed', to: entry.project.name });
      return entry;
    },
    'projects:duplicate': async ({ name, newName }) => {
      const source = await existing(name);
      const entry = await store.projects.create({ ...source.project, name: newName });
      changed({ name: entry.project.name, reason: 'created' });
      return entry;
    },
    'projects:delete': async ({ name, revision, deleteVersions }) => {
      await store.projects.delete(name, { deleteVersions, ...(revision ? { revision } : {}) });
      await followWebhook(ctx, name, () => webhookController(ctx).state.triggers.forget(name));
      changed({ name, reason: 'deleted' });
      return null;
    },
    'projects:import': async ({ fileName, text, replace }) => {
      const check = checkProjectText(text, { source: fileName });
      if (!check.ok) return { status: 'invalid' as const, issues: check.issues };
      const { name } = check.project;
      const current = await store.projects.get(name);
      if (current && !replace) {
        throw new AppError('CONFLICT', `A project named "${name}" already exists.`, { project: name });
      }
      const entry = current
        ? await store.projects.save(check.project, { revision: current.revision })
        : await store.projects.create(check.project);
      changed({ name, reason: current ? 'saved' : 'created' });
      return { status: 'imported' as const, entry, replaced: Boolean(current) };
    },
    'projects:export': async (name) => {
      const entry = await existing(name);
      return { fileName: `${entry.project.name}.yaml`, text: exportProjectYaml(entry.project) };
    },
    'projects:measure-script': (script) => measureScript(script),
  };
}

function summarise(entry: ProjectEntry, last: BakeRecord | undefined): ProjectSummary {
  const { project } = entry;
  return {
    name: project.name,
    description: project.description,
    ...(project.region ? { region: project.region } : {}),
    baseImage: project.baseImage,
    instanceType: project.instanceType,
    revision: entry.revision,
    ...(last ? { lastBake: lastBake(last) } : {}),
  };
}

function lastBake(record: BakeRecord): LastBake {
  return {
    id: record.id,
    status: record.status,
    simulated: record.simulated,
    profile: record.profile,
    region: record.region,
    at: record.endedAt ?? record.startedAt ?? record.createdAt,
    ...(record.imageId ? { imageId: record.imageId } : {}),
    ...(record.version !== undefined ? { version: record.version } : {}),
  };
}

/**
 * Measures the user data the engine will build for this script: the real wrapper, and gzip as the engine
 * sends it, so the editor's meter agrees byte for byte with what a bake sends (and accepts).
 */
export function measureScript(project: Pick<Project, 'initScript' | 'env' | 'completion'>): ScriptMeasure {
  const limitBytes = USER_DATA_LIMIT_BYTES;
  try {
    // Building it checks what the engine checks (a script it refuses whatever its size); measuring it
    // gives the sizes, which depend on everything but the bake id's and nonce's digits.
    buildUserData({ bakeId: MEASURE_BAKE_ID, nonce: MEASURE_NONCE, project });
    return { ...measureUserData(project), limitBytes };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const rawBytes = Number(error.details?.rawBytes);
    const gzipBytes = Number(error.details?.gzippedBytes);
    if (Number.isInteger(rawBytes) && Number.isInteger(gzipBytes)) return { rawBytes, gzipBytes, limitBytes };
    const bare = Buffer.from(project.initScript, 'utf8');
    return {
      rawBytes: bare.length,
      gzipBytes: gzipSync(bare, { level: 9 }).length,
      limitBytes,
      refused: error.message.replace(/^\w+: /, ''),
    };
  }
}

const MEASURE_BAKE_ID = `bk_${'0'.repeat(20)}`;
const MEASURE_NONCE = '0'.repeat(32);

/** Bakes change a project's "last bake": tell the lists, once per status change rather than per event. */
export function wireProjectEvents(ctx: AppContext): () => void {
  const projectOf = new Map<string, string>();
  return ctx.runtime.engine.subscribe((event) => {
    if (event.type === 'created') projectOf.set(event.bakeId, event.record.project);
    if (event.type !== 'created' && event.type !== 'status' && event.type !== 'finished') return;
    const name = event.type === 'status' ? projectOf.get(event.bakeId) : event.record.project;
    if (event.type === 'finished') projectOf.delete(event.bakeId);
    if (name) ctx.hub.emit('projects:changed', { name, reason: 'bake' });
  });
}

/**
 * The project change has happened by the time its webhook settings follow it; if they cannot, the change
 * stands and the person is told what is left over rather than shown an error for a rename that worked.
 */
async function followWebhook(ctx: AppContext, project: string, follow: () => Promise<void>): Promise<void> {
  try {
    await follow();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn('webhook settings did not follow a project change', { project, error: message });
    ctx.notices.post({
      id: `webhook-follow-${project}-${ctx.clock.now()}`,
      level: 'warning',
      title: `The webhook settings of ${project} were left behind`,
      message: `${message} Regenerate the project's webhook secret on its Triggers tab.`,
      at: ctx.clock.now(),
    });
  }
}
