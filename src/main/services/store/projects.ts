import { rename, unlink } from 'node:fs/promises';
import { PROJECT_NAME_PATTERN, ProjectSchema } from '../../../shared/project';
import type { Project, ProjectInput } from '../../../shared/project';
import { AppError, describeZodError } from '../../../shared/result';
import { fsyncDir, isNotFound, readTextIfExists, readdirIfExists, writeAtomic } from './atomic';
import type { BakeStore } from './bakes';
import type { StoreContext } from './context';
import type { DeploymentStore } from './deployments';
import type { DraftStore } from './drafts';
import { withLock } from './lock';
import { parseProjectName } from './names';
import { checkProjectText, exportProjectYaml, formatIssues, projectRevision } from './project-file';
import { whoChanged, writeProjectMeta } from './project-meta';
import type { VersionStore } from './versions';

export interface ProjectEntry {
  project: Project;
  /** Pass back to `save`, `rename` or `delete`: a stale revision fails with CONFLICT instead of overwriting. */
  revision: string;
  /** Relative to the data directory: `projects/web.yaml`. */
  file: string;
}

interface Related {
  versions: VersionStore;
  drafts: DraftStore;
  deployments: DeploymentStore;
  bakes: BakeStore;
}

/**
 * Projects as files, `projects/<name>.yaml`, in exactly the format teams keep in their repositories. Every
 * write happens under a per-name cross-process lock and checks the revision the writer read, so the app
 * and the CLI never silently overwrite each other's edits.
 */
export class ProjectStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly related: Related,
  ) {}

  /** Every readable project, by name. Unreadable files are quarantined and reported in `notices`. */
  async list(): Promise<ProjectEntry[]> {
    const entries = await Promise.all((await this.names()).map((name) => this.read(name)));
    return entries
      .filter((e): e is ProjectEntry => e !== undefined)
      .sort((a, b) => a.project.name.localeCompare(b.project.name, 'en', { sensitivity: 'base' }));
  }

  async get(name: string): Promise<ProjectEntry | undefined> {
    return this.read(parseProjectName(name));
  }

  /** Fails with CONFLICT when a project of that name exists (names are unique ignoring case). */
  async create(input: ProjectInput): Promise<ProjectEntry> {
    const project = parseProject(input);
    return this.locked([project.name], async () => {
      const clash = (await this.names()).find((n) => n.toLowerCase() === project.name.toLowerCase());
      if (clash) throw new AppError('CONFLICT', `A project named "${clash}" already exists.`);
      return this.write(project);
    });
  }

  /** Saves over the revision the caller read; CONFLICT, naming who changed it, when it is stale. */
  async save(input: ProjectInput, opts: { revision: string }): Promise<ProjectEntry> {
    const project = parseProject(input);
    return this.locked([project.name], async () => {
      const current = await this.readCurrent(project.name);
      await this.expectRevision(project.name, current?.revision, opts.revision);
      return this.write(project);
    });
  }

  /**
   * Renames a project; its versions, bake and deployment history and draft follow it. The new file is complete before the
   * old one goes, so a concurrent reader sees the project under one name or both, never neither.
   */
  async rename(from: string, to: string, opts: { revision?: string } = {}): Promise<ProjectEntry> {
    const oldName = parseProjectName(from);
    const newName = parseProjectName(to);
    const caseOnly = oldName !== newName && oldName.toLowerCase() === newName.toLowerCase();
    return this.locked([oldName, newName], async () => {
      const current = (await this.readCurrent(oldName))?.entry;
      if (!current) throw new AppError('NOT_FOUND', `No project named "${oldName}".`);
      if (opts.revision !== undefined) await this.expectRevision(oldName, current.revision, opts.revision);
      if (oldName === newName) return current;
      await this.related.deployments.assertIdle(oldName);
      if (!caseOnly) {
        const clash = (await this.names()).find((n) => n.toLowerCase() === newName.toLowerCase());
        if (clash) throw new AppError('CONFLICT', `A project named "${clash}" already exists.`);
        if (await this.related.versions.exist(newName)) {
          throw new AppError(
            'CONFLICT',
            `Versions of an earlier project named "${newName}" are still kept; delete them or pick another name.`,
          );
        }
      }
      const renamed = { ...current.project, name: newName };
      let entry: ProjectEntry;
      if (caseOnly) {
        // On a case-insensitive disk both names are one file: rewrite it, then change the name's case.
        const written = await this.write(renamed, oldName);
        await rename(this.ctx.paths.projectFile(oldName), this.ctx.paths.projectFile(newName));
        entry = { ...written, file: this.ctx.paths.display(this.ctx.paths.projectFile(newName)) };
      } else {
        entry = await this.write(renamed);
        await unlink(this.ctx.paths.projectFile(oldName));
      }
      await fsyncDir(this.ctx.paths.projectsDir);
      await writeProjectMeta(this.ctx, oldName, { renamedTo: newName });
      await writeProjectMeta(this.ctx, newName, { revision: entry.revision });
      await this.related.versions.move(oldName, newName);
      await this.related.bakes.moveProjectIndex(oldName, newName);
      await this.related.drafts.move(oldName, newName);
      await this.related.deployments.move(oldName, newName);
      return entry;
    });
  }

  /** Deletes the project file and its draft; versions are kept unless `deleteVersions`, bakes always. */
  async delete(name: string, opts: { revision?: string; deleteVersions?: boolean } = {}): Promise<void> {
    const projectName = parseProjectName(name);
    await this.locked([projectName], async () => {
      const current = await this.readCurrent(projectName);
      if (!current) throw new AppError('NOT_FOUND', `No project named "${projectName}".`);
      if (opts.revision !== undefined)
        await this.expectRevision(projectName, current.revision, opts.revision);
      // Already gone if reading it just quarantined it as unreadable.
      await unlink(this.ctx.paths.projectFile(projectName)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      await fsyncDir(this.ctx.paths.projectsDir);
      await writeProjectMeta(this.ctx, projectName, { deleted: true });
      await this.related.drafts.clear(projectName);
      if (opts.deleteVersions) await this.related.versions.deleteAll(projectName);
    });
  }

  private async names(): Promise<string[]> {
    return (await readdirIfExists(this.ctx.paths.projectsDir)).flatMap((file) => {
      const match = /^(.+)\.yaml$/.exec(file);
      return match?.[1] && PROJECT_NAME_PATTERN.test(match[1]) ? [match[1]] : [];
    });
  }

  /** Reads for display: anything unusable is quarantined (or skipped, if from a newer Quadraxis). */
  private async read(name: string): Promise<ProjectEntry | undefined> {
    const path = this.ctx.paths.projectFile(name);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    const file = this.ctx.paths.display(path);
    const check = checkProjectText(text, { source: file, format: 'yaml' });
    if (!check.ok) {
      const reason = formatIssues(file, check.issues);
      if (check.newer) this.ctx.quarantine.report(path, reason);
      else await this.ctx.quarantine.move(path, reason, { judged: text });
      return undefined;
    }
    if (check.project.name.toLowerCase() !== name.toLowerCase()) {
      this.ctx.quarantine.report(
        path,
        `the file names the project "${check.project.name}"; rename the file or the name to match`,
      );
      return undefined;
    }
    return { project: { ...check.project, name }, revision: projectRevision(text), file };
  }

  /** Reads for a write: the revision of whatever is on disk, valid or not (a broken file is still a change). */
  private async readCurrent(name: string): Promise<{ revision: string; entry?: ProjectEntry } | undefined> {
    const text = await readTextIfExists(this.ctx.paths.projectFile(name));
    if (text === undefined) return undefined;
    return { revision: projectRevision(text), entry: await this.read(name) };
  }

  private async expectRevision(name: string, current: string | undefined, expected: string): Promise<void> {
    if (current === expected) return;
    const who = await whoChanged(this.ctx, name, current);
    if (who === undefined) throw new AppError('NOT_FOUND', `No project named "${name}".`);
    throw new AppError(
      'CONFLICT',
      `Project "${name}" was ${who} since you opened it; reload it and apply your change again.`,
      {
        project: name,
        ...(current ? { revision: current } : {}),
      },
    );
  }

  private async write(project: Project, fileName = project.name): Promise<ProjectEntry> {
    const text = exportProjectYaml(project);
    const path = this.ctx.paths.projectFile(fileName);
    await writeAtomic(path, text);
    const revision = projectRevision(text);
    await writeProjectMeta(this.ctx, fileName, { revision });
    return { project, revision, file: this.ctx.paths.display(path) };
  }

  /** Locks every name involved, in one order, so two renames of the same pair cannot deadlock. */
  private locked<T>(names: string[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(names.map((n) => n.toLowerCase()))].sort();
    const run = (i: number): Promise<T> => {
      const name = unique[i];
      if (name === undefined) return fn();
      return withLock(this.ctx.paths.projectLock(name), `Project "${name}"`, this.ctx.logger, () =>
        run(i + 1),
      );
    };
    return run(0);
  }
}

function parseProject(input: ProjectInput): Project {
  const parsed = ProjectSchema.safeParse(input);
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeZodError(parsed.error));
  return parsed.data;
}
