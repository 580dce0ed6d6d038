import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BAKE_ID_PATTERN, VersionSchema } from '../../../shared/bake';
import type { Version } from '../../../shared/bake';
import { AppError, describeZodError } from '../../../shared/result';
import { ensureDir, fsyncDir, isNotFound, readTextIfExists, readdirIfExists, writeAtomic } from './atomic';
import type { StoreContext } from './context';
import { withLock } from './lock';
import { parseProjectName } from './names';

export type VersionInput = Omit<Version, 'version'>;

export interface VersionListOptions {
  /** Default 50. */
  limit?: number;
  /** Only versions below this number: the next page. */
  before?: number;
}

interface VersionFile {
  version: number;
  bakeId: string;
  name: string;
}

const VERSION_FILE = /^(\d{6,})-(bk_[0-9a-z]{20})\.json$/;
/** The highest number ever allocated, so a quarantined or deleted newest file never gets its number reused. */
const COUNTER_FILE = 'last-allocated';
const VersionInputSchema = VersionSchema.omit({ version: true });

/**
 * One immutable file per version, `000007-<bakeId>.json`: the number orders them and the bake id makes
 * recording idempotent (a bake retried after a crash gets its version back, not a second one), both
 * readable from the directory listing alone.
 */
export class VersionStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Allocates the next number under a cross-process lock, so two processes recording at once get n and n+1. */
  async record(input: VersionInput): Promise<Version> {
    const parsed = VersionInputSchema.safeParse(input);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `Version: ${describeZodError(parsed.error)}`);
    const { project } = parsed.data;
    const dir = this.ctx.paths.versionsDir(project);
    return this.locked(project, async () => {
      await ensureDir(dir);
      const files = await this.files(project);
      const existing = files.find((f) => f.bakeId === parsed.data.bakeId);
      const recorded = existing && (await this.read(project, existing));
      if (recorded) return recorded;
      const counter = Number((await readTextIfExists(join(dir, COUNTER_FILE)))?.trim());
      const highest = Math.max(0, Number.isInteger(counter) ? counter : 0, ...files.map((f) => f.version));
      const version: Version = { ...parsed.data, version: highest + 1 };
      await writeAtomic(
        join(dir, fileName(version.version, version.bakeId)),
        `${JSON.stringify(version, null, 2)}\n`,
      );
      await writeAtomic(join(dir, COUNTER_FILE), `${version.version}\n`);
      return version;
    });
  }

  /** Newest first, reading only the files it returns. */
  async list(project: string, opts: VersionListOptions = {}): Promise<Version[]> {
    const limit = opts.limit ?? 50;
    const files = (await this.files(parseProjectName(project)))
      .filter((f) => opts.before === undefined || f.version < opts.before)
      .sort((a, b) => b.version - a.version);
    const out: Version[] = [];
    for (const file of files) {
      if (out.length >= limit) break;
      const version = await this.read(project, file);
      if (version) out.push(version);
    }
    return out;
  }

  async get(project: string, version: number): Promise<Version | undefined> {
    const file = (await this.files(parseProjectName(project))).find((f) => f.version === version);
    return file && this.read(project, file);
  }

  async latest(project: string): Promise<Version | undefined> {
    return (await this.list(project, { limit: 1 }))[0];
  }

  /** Whether anything is kept under this name, even only the counter of versions since quarantined. */
  async exist(project: string): Promise<boolean> {
    return (await readdirIfExists(this.ctx.paths.versionsDir(parseProjectName(project)))).length > 0;
  }

  /** For a project rename: the history moves with the project. Both names are locked, in a fixed order. */
  async move(from: string, to: string): Promise<void> {
    const [first, second] = from.toLowerCase() < to.toLowerCase() ? [from, to] : [to, from];
    const moveDir = async () => {
      try {
        await rename(this.ctx.paths.versionsDir(from), this.ctx.paths.versionsDir(to));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      await fsyncDir(join(this.ctx.paths.root, 'versions'));
    };
    await this.locked(first, () =>
      from.toLowerCase() === to.toLowerCase() ? moveDir() : this.locked(second, moveDir),
    );
  }

  async deleteAll(project: string): Promise<void> {
    await this.locked(project, () =>
      rm(this.ctx.paths.versionsDir(project), { recursive: true, force: true }),
    );
  }

  private locked<T>(project: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.ctx.paths.versionsLock(project), `The versions of ${project}`, this.ctx.logger, fn);
  }

  private async files(project: string): Promise<VersionFile[]> {
    const names = await readdirIfExists(this.ctx.paths.versionsDir(project));
    return names.flatMap((name) => {
      const match = VERSION_FILE.exec(name);
      return match?.[1] && match[2] && BAKE_ID_PATTERN.test(match[2])
        ? [{ version: Number(match[1]), bakeId: match[2], name }]
        : [];
    });
  }

  private async read(project: string, file: VersionFile): Promise<Version | undefined> {
    const path = join(this.ctx.paths.versionsDir(project), file.name);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    let reason: string;
    try {
      const parsed = VersionSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.version === file.version && parsed.data.bakeId === file.bakeId)
        return parsed.data;
      reason = parsed.success ? 'its content does not match its file name' : describeZodError(parsed.error);
    } catch (error) {
      reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    await this.ctx.quarantine.move(path, reason, { judged: text });
    return undefined;
  }
}

function fileName(version: number, bakeId: string): string {
  return `${String(version).padStart(6, '0')}-${bakeId}.json`;
}
