import { readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { PROJECT_NAME_PATTERN, RegionSchema } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import { ensureDir, fsyncDir, isNotFound } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseProjectName } from '../store/names';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';
import type { SecretBox } from './secret-box';
import { DUMMY_SECRET, generateSecret } from './secrets';

const SealedBySchema = z.object({
  box: z.string(),
  keyId: z.string().optional(),
  description: z.string(),
});
type SealedBy = z.infer<typeof SealedBySchema>;

const TriggerFileSchema = z.object({
  schemaVersion: z.literal(1),
  project: z.string(),
  secret: z.object({ sealedBy: SealedBySchema, sealed: z.string().min(1), createdAt: z.number() }).optional(),
  /** The AWS profile this project's webhook bakes use; absent: the app's selected one, or serve's --profile. */
  profile: z.string().min(1).max(128).optional(),
  region: RegionSchema.optional(),
});
type TriggerFile = z.infer<typeof TriggerFileSchema>;

export interface TriggerConfig {
  project: string;
  /** A trigger file exists: deliveries to this project are logged. */
  configured: boolean;
  hasSecret: boolean;
  secretCreatedAt?: number;
  /** Why this process cannot use the stored secret, in words that say what to do. */
  secretProblem?: string;
  profile?: string;
  region?: string;
}

export type SecretLookup =
  { ok: true; secret: string; config: TriggerConfig } | { ok: false; config: TriggerConfig | undefined };

/**
 * Per-project webhook settings in `webhook/triggers/<project>.json` (mode 0600): the secret sealed by this
 * process's SecretBox, and the profile and region its bakes use. Every lookup reads the file again, so a
 * secret rotated by another process (`quadraxis triggers --rotate`) takes effect on the next request.
 */
export class TriggerStore {
  /** Sealed on first need, not at start: opening the box may create its key file. */
  private dummySealed: Buffer | undefined;

  constructor(
    private readonly options: { paths: WebhookPaths; box: SecretBox; clock: Clock; logger: StoreLogger },
  ) {}

  async config(project: string): Promise<TriggerConfig> {
    const name = parseProjectName(project);
    return this.describe(name, await this.read(name));
  }

  /** The secret for authenticating a request; never throws for a missing, unusable or misnamed one. */
  async lookup(project: string): Promise<SecretLookup> {
    if (!PROJECT_NAME_PATTERN.test(project)) {
      this.openDummy();
      return { ok: false, config: undefined };
    }
    const file = await this.read(project).catch((error: unknown) => {
      this.options.logger.warn(`webhook trigger file of ${project} is unreadable: ${String(error)}`);
      return undefined;
    });
    const opened = file?.secret ? this.open(project, file.secret) : undefined;
    if (!opened) this.openDummy();
    const config = file ? this.describe(project, file) : undefined;
    return opened?.ok ? { ok: true, secret: opened.secret, config: config! } : { ok: false, config };
  }

  /** The secret in clear, for `quadraxis triggers`; explains when it cannot be opened here. */
  async reveal(project: string): Promise<string> {
    const name = parseProjectName(project);
    const file = await this.read(name);
    if (!file?.secret) {
      throw new AppError('NOT_FOUND', `${name} has no webhook secret yet; generate one with --rotate.`);
    }
    const opened = this.open(name, file.secret);
    if (!opened.ok) throw new AppError('UNAVAILABLE', opened.problem);
    return opened.secret;
  }

  /** A new secret, sealed and saved before it is returned; the old one stops working at once. */
  async rotate(project: string): Promise<string> {
    const name = parseProjectName(project);
    const secret = generateSecret();
    const { box, clock } = this.options;
    const sealedBy: SealedBy = {
      box: box.kind,
      ...(box.keyId ? { keyId: box.keyId } : {}),
      description: box.description,
    };
    await this.update(name, (file) => ({
      ...file,
      secret: { sealedBy, sealed: box.encrypt(secret).toString('base64'), createdAt: clock.now() },
    }));
    return secret;
  }

  /** `profile: undefined` goes back to the default (the app's selected profile, serve's --profile). */
  async setProfile(project: string, profile: string | undefined, region?: string): Promise<TriggerConfig> {
    const name = parseProjectName(project);
    const next = await this.update(name, (file) => {
      const { profile: _p, region: _r, ...rest } = file;
      return { ...rest, ...(profile ? { profile } : {}), ...(region ? { region } : {}) };
    });
    return this.describe(name, next);
  }

  /**
   * A renamed project keeps its secret and webhook profile (its hook URL changes with the name), and its
   * delivery history follows it, as its bakes do. Nothing is left under the old name for a later project
   * of that name to inherit.
   */
  async move(from: string, to: string): Promise<void> {
    const oldName = parseProjectName(from);
    const newName = parseProjectName(to);
    if (oldName === newName) return;
    const { paths, logger } = this.options;
    await withLock(paths.triggerLock(oldName), `the webhook settings of ${oldName}`, logger, async () => {
      const current = await this.read(oldName).catch(() => undefined);
      // Written here rather than through update(): a rename that only changes case shares the old lock, and
      // on a case-insensitive disk shares the old file too, so that one is renamed rather than removed.
      if (oldName.toLowerCase() === newName.toLowerCase()) {
        await moveIfExists(paths.triggerFile(oldName), paths.triggerFile(newName));
        if (current) await this.write(newName, { ...current, project: newName });
      } else {
        if (current) await this.write(newName, { ...current, project: newName });
        await removeIfExists(paths.triggerFile(oldName));
      }
      await moveIfExists(paths.deliveriesFile(oldName), paths.deliveriesFile(newName));
      await moveIfExists(paths.deliveriesOlderFile(oldName), paths.deliveriesOlderFile(newName));
    });
  }

  /** A deleted project's hook stops working: a project created later under its name starts without a secret. */
  async forget(project: string): Promise<void> {
    const name = parseProjectName(project);
    const { paths, logger } = this.options;
    await withLock(paths.triggerLock(name), `the webhook settings of ${name}`, logger, () =>
      removeIfExists(paths.triggerFile(name)),
    );
  }

  private async update(name: string, change: (file: TriggerFile) => TriggerFile): Promise<TriggerFile> {
    const { paths, logger } = this.options;
    return withLock(paths.triggerLock(name), `the webhook settings of ${name}`, logger, async () => {
      const current = await this.read(name).catch(() => undefined);
      const next = TriggerFileSchema.parse(change(current ?? { schemaVersion: 1, project: name }));
      await this.write(name, next);
      return next;
    });
  }

  private async write(name: string, file: TriggerFile): Promise<void> {
    const path = this.options.paths.triggerFile(name);
    await ensureDir(dirname(path));
    await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, fsync: true });
    await fsyncDir(dirname(path));
  }

  private async read(name: string): Promise<TriggerFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.options.paths.triggerFile(name), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const parsed = TriggerFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new AppError(
        'CORRUPT_DATA',
        `The webhook settings of ${name} (${this.options.paths.triggerFile(name)}) are unreadable; generate a new secret to replace them.`,
      );
    }
    return parsed.data;
  }

  private open(
    project: string,
    secret: NonNullable<TriggerFile['secret']>,
  ): { ok: true; secret: string } | { ok: false; problem: string } {
    const problem = this.mismatch(project, secret.sealedBy);
    if (problem) return { ok: false, problem };
    try {
      return { ok: true, secret: this.options.box.decrypt(Buffer.from(secret.sealed, 'base64')) };
    } catch (error) {
      return {
        ok: false,
        problem: `The webhook secret of ${project} could not be opened with ${this.options.box.description} (${error instanceof Error ? error.message : String(error)}). Generate a new one.`,
      };
    }
  }

  /** Opening a stand-in when there is no secret keeps unknown projects from answering measurably faster. */
  private openDummy(): void {
    try {
      this.dummySealed ??= this.options.box.encrypt(DUMMY_SECRET);
      this.options.box.decrypt(this.dummySealed);
    } catch {
      // Only there to spend the time a real lookup would; a box that cannot seal has nothing to open either.
    }
  }

  /** Names the box that sealed the secret when it is not this process's, and what to do about it. */
  private mismatch(project: string, sealedBy: SealedBy): string | undefined {
    const { box } = this.options;
    const sameKind = sealedBy.box === box.kind;
    if (sameKind && (sealedBy.keyId === undefined || sealedBy.keyId === box.keyId)) return undefined;
    const here = box.kind === 'safe-storage' ? 'the Quadraxis app' : 'quadraxis serve and the CLI';
    const why = sameKind
      ? `was sealed with a different key (${sealedBy.description}, key ${sealedBy.keyId ?? '?'}; this process has key ${box.keyId ?? '?'})`
      : `was sealed with ${sealedBy.description}, which ${here} cannot open (it uses ${box.description})`;
    const fix =
      box.kind === 'safe-storage'
        ? 'Regenerate it here to use the app’s listener (the server’s copy stops working).'
        : `Regenerate it with \`quadraxis triggers ${project} --rotate\` (the other copy stops working), or run with the same key.`;
    return `The webhook secret of ${project} ${why}. ${fix}`;
  }

  private describe(project: string, file: TriggerFile | undefined): TriggerConfig {
    const problem = file?.secret ? this.mismatch(project, file.secret.sealedBy) : undefined;
    return {
      project,
      configured: file !== undefined,
      hasSecret: Boolean(file?.secret),
      ...(file?.secret ? { secretCreatedAt: file.secret.createdAt } : {}),
      ...(problem ? { secretProblem: problem } : {}),
      ...(file?.profile ? { profile: file.profile } : {}),
      ...(file?.region ? { region: file.region } : {}),
    };
  }
}

async function removeIfExists(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
  await fsyncDir(dirname(path)).catch(() => undefined);
}

async function moveIfExists(from: string, to: string): Promise<void> {
  await rename(from, to).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}
