import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { PROJECT_NAME_PATTERN } from '../../../shared/project';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import { ensureDir, fsyncDir, isNotFound } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseProjectName } from '../store/names';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';
import type { SecretBox } from './secret-box';
import { generateSecret, hashToken, signatureMatches, tokenMatches, type SecretKind } from './secrets';
import {
  AnyTriggerFileSchema,
  TriggerFileSchema,
  type SealedBy,
  type SealedSecret,
  type TriggerFile,
} from './trigger-file';

export interface TriggerConfig {
  project: string;
  /** A trigger file exists: the project has webhook settings, and its deliveries are logged. */
  configured: boolean;
  token: { set: boolean; createdAt?: number };
  githubSecret: {
    set: boolean;
    createdAt?: number;
    /** Why this process cannot verify signatures with it, in words that say what to do. */
    problem?: string;
  };
  /** The project's one secret of an earlier version became its GitHub secret; no token was made since. */
  legacyTokenRetired: boolean;
  profile?: string;
  region?: string;
}

/**
 * What a request to `/hooks/<name>` is checked against. Every name — a project with both secrets, one
 * without, an unknown name, a string that is not a name — gets one: each check spends the same work
 * (a trigger file read, one parse, one token hash, one unsealing) and fails where there is nothing real to
 * match, so the answer's timing says nothing about which names are configured.
 */
export interface Verifier {
  /** The project's settings when it has a trigger file. */
  config: TriggerConfig | undefined;
  checkToken(token: string): boolean;
  checkSignature(body: string, signature: string): Promise<boolean>;
}

interface Decoy {
  text: string;
  file: TriggerFile;
}

/**
 * Per-project webhook settings in `webhook/triggers/<project>.json` (mode 0600): the token's hash, the
 * GitHub secret sealed by this process's SecretBox, and the profile and region its bakes use. Every check
 * reads the file again, so a secret rotated by another process (`quadraxis triggers`) counts at once.
 */
export class TriggerStore {
  /** Built on first need, not at start: sealing may create the box's key file. */
  private decoy: Decoy | undefined;
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: { paths: WebhookPaths; box: SecretBox; clock: Clock; logger: StoreLogger },
  ) {}

  async config(project: string): Promise<TriggerConfig> {
    const name = parseProjectName(project);
    return this.describe(name, await this.read(name));
  }

  async verifier(name: string): Promise<Verifier> {
    const { paths } = this.options;
    const decoy = this.decoyFile();
    const path = PROJECT_NAME_PATTERN.test(name) ? paths.triggerFile(name) : paths.absentTriggerFile;
    // The decoy file is read beside the project's, in parallel: whether the project's exists or not, the
    // answer waits for one file read that succeeds (a failed open alone answers measurably sooner).
    const [text] = await Promise.all([
      readFile(path, 'utf8').catch((error: unknown) => {
        if (!isNotFound(error))
          this.warnOnce(name, `webhook trigger file of ${name} is unreadable: ${String(error)}`);
        return undefined;
      }),
      this.readDecoy(decoy.text),
    ]);
    const parsed = parseFile(text ?? decoy.text);
    const real = text !== undefined ? parsed : undefined;
    if (text !== undefined && !real) this.warnOnce(name, `webhook trigger file of ${name} is corrupt`);
    const config = real ? this.describe(name, real) : undefined;
    const tokenHash = real?.token?.sha256;
    const sealed = real?.githubSecret && !config?.githubSecret.problem ? real.githubSecret : undefined;
    return {
      config,
      checkToken: (token) => tokenMatches(token, tokenHash ?? decoy.file.token!.sha256) && !!tokenHash,
      checkSignature: async (body, signature) => {
        const secret = this.unseal(sealed ?? decoy.file.githubSecret!);
        const ok = await signatureMatches(secret ?? '', body, signature);
        return ok && sealed !== undefined && secret !== undefined;
      },
    };
  }

  /** A new secret of one kind, saved before it is returned; the old one of that kind stops working at once. */
  async rotate(project: string, kind: SecretKind): Promise<string> {
    const name = parseProjectName(project);
    const secret = generateSecret(kind);
    const createdAt = this.options.clock.now();
    await this.update(name, (file) => {
      if (kind === 'token') {
        const { legacyTokenRetired: _retired, ...rest } = file;
        return { ...rest, token: { sha256: hashToken(secret), createdAt } };
      }
      return { ...file, githubSecret: this.seal(secret, createdAt) };
    });
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
   * A renamed project keeps its secrets and webhook profile (its hook URL changes with the name), and its
   * delivery history and refusal counts follow it, as its bakes do. Nothing is left under the old name for
   * a later project of that name to inherit.
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
      await moveIfExists(paths.refusalsFile(oldName), paths.refusalsFile(newName));
      // Its running and queued webhook bakes, and what they were asked by, go with it.
      await moveIfExists(paths.queueFile(oldName), paths.queueFile(newName));
      // Replay markers only save a bake: when they cannot move, a repeat bakes once more, nothing worse.
      await moveIfExists(paths.replaysDir(oldName), paths.replaysDir(newName)).catch(() => undefined);
    });
  }

  /** A deleted project's hook stops working: a project created later under its name starts afresh. */
  async forget(project: string): Promise<void> {
    const name = parseProjectName(project);
    const { paths, logger } = this.options;
    await withLock(paths.triggerLock(name), `the webhook settings of ${name}`, logger, async () => {
      await removeIfExists(paths.triggerFile(name));
      await removeIfExists(paths.deliveriesFile(name));
      await removeIfExists(paths.deliveriesOlderFile(name));
      await removeIfExists(paths.refusalsFile(name));
      await rm(paths.replaysDir(name), { recursive: true, force: true });
      await removeIfExists(paths.queueFile(name));
    });
  }

  private async update(name: string, change: (file: TriggerFile) => TriggerFile): Promise<TriggerFile> {
    const { paths, logger } = this.options;
    return withLock(paths.triggerLock(name), `the webhook settings of ${name}`, logger, async () => {
      const current = await this.read(name).catch(() => undefined);
      const next = TriggerFileSchema.parse(change(current ?? { schemaVersion: 2, project: name }));
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
    const file = parseFile(text);
    if (!file) {
      throw new AppError(
        'CORRUPT_DATA',
        `The webhook settings of ${name} (${this.options.paths.triggerFile(name)}) are unreadable; generate new secrets to replace them.`,
      );
    }
    return file;
  }

  private seal(secret: string, createdAt: number): SealedSecret {
    const { box } = this.options;
    const sealedBy: SealedBy = {
      box: box.kind,
      ...(box.keyId ? { keyId: box.keyId } : {}),
      description: box.description,
    };
    return { sealedBy, sealed: box.encrypt(secret).toString('base64'), createdAt };
  }

  private unseal(sealed: SealedSecret): string | undefined {
    try {
      return this.options.box.decrypt(Buffer.from(sealed.sealed, 'base64'));
    } catch {
      return undefined;
    }
  }

  /** The decoy file on disk, written once when missing; what it holds is never used. */
  private async readDecoy(text: string): Promise<void> {
    const file = this.options.paths.decoyTriggerFile;
    if ((await readFile(file, 'utf8').catch(() => undefined)) !== undefined) return;
    await ensureDir(dirname(file));
    await writeFileAtomic(file, text, { mode: 0o600 }).catch(() => undefined);
  }

  /** A file like a real one, with secrets nobody knows; sealed by this box so unsealing costs the same. */
  private decoyFile(): Decoy {
    if (this.decoy) return this.decoy;
    const now = this.options.clock.now();
    let githubSecret: SealedSecret;
    try {
      githubSecret = this.seal(generateSecret('github'), now);
    } catch {
      // A box that cannot seal has nothing to open either; the check fails the same way.
      githubSecret = { sealedBy: { box: 'none', description: 'none' }, sealed: 'AA==', createdAt: now };
    }
    const file: TriggerFile = {
      schemaVersion: 2,
      project: 'decoy',
      githubSecret,
      token: { sha256: hashToken(randomBytes(32).toString('base64url')), createdAt: now },
    };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    this.decoy = { text, file };
    return this.decoy;
  }

  private warnOnce(name: string, message: string): void {
    if (this.warned.has(name) || this.warned.size > 1000) return;
    this.warned.add(name);
    this.options.logger.warn(message);
  }

  /** Names the box that sealed the GitHub secret when it is not this process's, and what to do about it. */
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
        ? 'Regenerate it here to verify GitHub’s signatures in the app’s listener (the server’s copy stops working).'
        : `Regenerate it with \`quadraxis triggers ${project} --rotate-github-secret\` (the other copy stops working), or run with the same key.`;
    return `The GitHub secret of ${project} ${why}. ${fix}`;
  }

  private describe(project: string, file: TriggerFile | undefined): TriggerConfig {
    const github = file?.githubSecret;
    const problem = github ? this.mismatch(project, github.sealedBy) : undefined;
    return {
      project,
      configured: file !== undefined,
      token: { set: Boolean(file?.token), ...(file?.token ? { createdAt: file.token.createdAt } : {}) },
      githubSecret: {
        set: Boolean(github),
        ...(github ? { createdAt: github.createdAt } : {}),
        ...(problem ? { problem } : {}),
      },
      legacyTokenRetired: file?.legacyTokenRetired === true,
      ...(file?.profile ? { profile: file.profile } : {}),
      ...(file?.region ? { region: file.region } : {}),
    };
  }
}

function parseFile(text: string): TriggerFile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = AnyTriggerFileSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

async function removeIfExists(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
  await fsyncDir(dirname(path)).catch(() => undefined);
}

async function moveIfExists(from: string, to: string): Promise<void> {
  await ensureDir(dirname(to));
  await rename(from, to).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}
