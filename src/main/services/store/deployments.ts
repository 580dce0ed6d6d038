import { randomInt, randomUUID } from 'node:crypto';
import { rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DEPLOY_ID_PATTERN,
  DeploymentSchema,
  isFinalDeployStatus,
  type Deployment,
} from '../../../shared/deploy';
import { AppError, describeZodError } from '../../../shared/result';
import type { Clock } from '../clock';
import {
  ensureDir,
  fsyncDir,
  isNotFound,
  readTextIfExists,
  readdirIfExists,
  replaceFile,
  touchDurable,
  writeAtomic,
} from './atomic';
import type { StoreContext } from './context';
import { withLock } from './lock';
import { parseProjectName } from './names';
import { parseJsonAs } from './parse-json';

/** Different for every process incarnation, so a reused pid never passes for the process that died. */
const PROCESS_TOKEN = randomUUID();
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ACTIVE = '.active';

/** `dp_` + creation time in base36 (sorts as text) + 10 random characters, like bake ids. */
export function newDeployId(clock: Clock): string {
  const time = Math.max(0, Math.floor(clock.now())).toString(36).padStart(10, '0').slice(-10);
  let random = '';
  for (let i = 0; i < 10; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `dp_${time}${random}`;
}

const OwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  token: z.string(),
  actor: z.string(),
});
type Owner = z.infer<typeof OwnerSchema>;

export interface DeploymentListOptions {
  /** Default 50. */
  limit?: number;
}

/**
 * The deployment history: one file per deployment, `deployments/<project>/<id>.json`, rewritten atomically
 * (fsync'ed) as the deployment moves on — only ever by the process running it, so two processes never
 * write the same file. A zero-byte marker in `deployments/.active/` names each unfinished one, and
 * `<id>.owner` names the process running it: a deployment whose process died is found without reading the
 * history, and taken over under a lock by exactly one process (its instance refresh carries on in AWS
 * meanwhile; whoever takes it over watches it to the end).
 */
export class DeploymentStore {
  private readonly options: { processToken: string };

  constructor(
    private readonly ctx: StoreContext,
    options: { processToken?: string } = {},
  ) {
    this.options = { processToken: options.processToken ?? PROCESS_TOKEN };
  }

  private get root(): string {
    return join(this.ctx.paths.root, 'deployments');
  }

  private dir(project: string): string {
    return join(this.root, parseProjectName(project));
  }

  private file(project: string, id: string): string {
    return join(this.dir(project), `${checkId(id)}.json`);
  }

  private ownerFile(project: string, id: string): string {
    return join(this.dir(project), `${checkId(id)}.owner`);
  }

  private activeMarker(id: string): string {
    return join(this.root, ACTIVE, checkId(id));
  }

  /** Records a new deployment, owned by this process until released. */
  async create(record: Deployment): Promise<void> {
    const parsed = DeploymentSchema.safeParse(record);
    if (!parsed.success) throw new AppError('INVALID_INPUT', `Deployment: ${describeZodError(parsed.error)}`);
    await ensureDir(this.dir(record.project));
    await replaceFile(this.ownerFile(record.project, record.id), this.ownerJson());
    await writeAtomic(this.file(record.project, record.id), json(parsed.data));
    if (!isFinalDeployStatus(record.status)) await touchDurable(this.activeMarker(record.id));
  }

  /** Saves the record as it is now; a final one is no longer active and no longer owned. */
  async save(record: Deployment): Promise<void> {
    await writeAtomic(this.file(record.project, record.id), json(DeploymentSchema.parse(record)));
    if (isFinalDeployStatus(record.status)) {
      await unlink(this.activeMarker(record.id)).catch(ignoreMissing);
      await this.release(record);
    }
  }

  async get(id: string): Promise<Deployment | undefined> {
    checkId(id);
    for (const project of await this.projects()) {
      const found = await this.read(project, id);
      if (found) return found;
    }
    return undefined;
  }

  /** Newest first. */
  async list(project: string, options: DeploymentListOptions = {}): Promise<Deployment[]> {
    const limit = options.limit ?? 50;
    const ids = (await readdirIfExists(this.dir(project)))
      .flatMap((name) => (name.endsWith('.json') ? [name.slice(0, -'.json'.length)] : []))
      .filter((id) => DEPLOY_ID_PATTERN.test(id))
      .sort()
      .reverse();
    const out: Deployment[] = [];
    for (const id of ids) {
      if (out.length >= limit) break;
      const record = await this.read(project, id);
      if (record) out.push(record);
    }
    return out;
  }

  /** The newest finished, successful deployment of a group, for "roll back to what ran before". */
  async latestTo(project: string, group: string, region: string): Promise<Deployment | undefined> {
    return (await this.list(project, { limit: 500 })).find(
      (d) => d.group === group && d.region === region && d.status === 'succeeded',
    );
  }

  /** Unfinished deployments whose process is gone (or that no process owns): for recovery to take over. */
  async orphans(): Promise<Deployment[]> {
    const out: Deployment[] = [];
    for (const id of await readdirIfExists(join(this.root, ACTIVE))) {
      if (!DEPLOY_ID_PATTERN.test(id)) continue;
      const record = await this.get(id);
      if (!record || isFinalDeployStatus(record.status)) {
        await unlink(this.activeMarker(id)).catch(ignoreMissing);
        continue;
      }
      if (!(await this.ownerAlive(record))) out.push(record);
    }
    return out;
  }

  /**
   * Takes over an orphaned deployment for this process. Resolves false when another process got there
   * first (or its owner turned out to be alive after all).
   */
  async claim(record: Deployment): Promise<boolean> {
    return withLock(
      join(this.dir(record.project), `${record.id}.lock`),
      `Deployment ${record.id}`,
      this.ctx.logger,
      async () => {
        if (await this.ownerAlive(record)) return false;
        await replaceFile(this.ownerFile(record.project, record.id), this.ownerJson());
        return true;
      },
    );
  }

  /** Lets go of a deployment this process owns (a final save does it by itself). */
  async release(record: Pick<Deployment, 'project' | 'id'>): Promise<void> {
    const file = this.ownerFile(record.project, record.id);
    const owner = parseJsonAs(OwnerSchema, (await readTextIfExists(file)) ?? '');
    if (owner && this.isMe(owner)) await unlink(file).catch(ignoreMissing);
  }

  /**
   * For a project rename: its deployment history follows it, file by file (the new name may already hold
   * the history of an earlier project of that name; ids never collide).
   */
  async move(from: string, to: string): Promise<void> {
    const names = await readdirIfExists(this.dir(from));
    if (names.length === 0) return;
    await ensureDir(this.dir(to));
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : undefined;
      if (id === undefined || !DEPLOY_ID_PATTERN.test(id)) continue;
      const record = await this.read(from, id);
      if (record) await writeAtomic(this.file(to, id), json({ ...record, project: to }));
    }
    await fsyncDir(this.dir(to));
    await rm(this.dir(from), { recursive: true, force: true });
    await fsyncDir(this.root);
  }

  /** Refuses (CONFLICT) while a deployment of the project is running: its record would be left behind. */
  async assertIdle(project: string): Promise<void> {
    for (const id of await readdirIfExists(join(this.root, ACTIVE))) {
      if (!DEPLOY_ID_PATTERN.test(id)) continue;
      const record = await this.read(parseProjectName(project), id);
      if (record && !isFinalDeployStatus(record.status)) {
        throw new AppError(
          'CONFLICT',
          `Deployment ${id} of ${project} to ${record.group} is still running; rename the project once it has ended.`,
        );
      }
    }
  }

  async deleteAll(project: string): Promise<void> {
    await rm(this.dir(project), { recursive: true, force: true });
  }

  private async ownerAlive(record: Deployment): Promise<boolean> {
    const owner = parseJsonAs(
      OwnerSchema,
      (await readTextIfExists(this.ownerFile(record.project, record.id))) ?? '',
    );
    if (!owner) return false;
    if (this.isMe(owner)) return true;
    // Another host's pid means nothing here: a deployment run from another machine is trusted to be alive.
    return owner.hostname !== this.ctx.identity.hostname || processExists(owner.pid);
  }

  private isMe(owner: Owner): boolean {
    return owner.token === this.options.processToken && owner.pid === process.pid;
  }

  private ownerJson(): string {
    const owner: Owner = {
      pid: process.pid,
      hostname: this.ctx.identity.hostname,
      token: this.options.processToken,
      actor: this.ctx.identity.actor,
    };
    return `${JSON.stringify(owner)}\n`;
  }

  private async projects(): Promise<string[]> {
    return (await readdirIfExists(this.root)).filter((name) => name !== ACTIVE && !name.startsWith('.'));
  }

  private async read(project: string, id: string): Promise<Deployment | undefined> {
    const path = this.file(project, id);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    let reason: string;
    try {
      const parsed = DeploymentSchema.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.id === id && parsed.data.project === project) return parsed.data;
      reason = parsed.success ? 'its content does not match its file name' : describeZodError(parsed.error);
    } catch (error) {
      reason = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
    await this.ctx.quarantine.move(path, reason, { judged: text });
    return undefined;
  }
}

function checkId(id: string): string {
  if (!DEPLOY_ID_PATTERN.test(id))
    throw new AppError('INVALID_INPUT', `Not a deployment id: ${JSON.stringify(id)}.`);
  return id;
}

function json(record: Deployment): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

function ignoreMissing(error: unknown): void {
  if (!isNotFound(error)) throw error;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
