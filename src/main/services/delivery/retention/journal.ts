import { randomBytes } from 'node:crypto';
import { rm, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { z } from 'zod';
import { AppError } from '../../../../shared/result';
import { ensureDir, errnoCode, readTextIfExists, writeAtomic } from '../../store/atomic';

/**
 * A prune's journal, one file per project under the data directory (`prunes/<project>.json`), rewritten
 * atomically (fsync'ed) after every action: what it set out to retire — each image's snapshot ids among
 * them, written BEFORE the image is deregistered, since afterwards EC2 no longer says which snapshots it had
 * — and how far it got. A prune killed at any point (SIGKILL included) leaves the journal unfinished; the next
 * prune finishes it first, asking again whether each image is in use before touching it.
 */
export const JournalEntrySchema = z.object({
  region: z.string(),
  imageId: z.string(),
  action: z.enum(['deregister', 'disable']),
  /** The bake that made it: an image whose bake is still running is never retired. */
  bakeId: z.string().optional(),
  snapshotIds: z.array(z.string()),
  /** planned → (image-gone →) done, or skipped (in use) / failed. */
  state: z.enum(['planned', 'image-gone', 'done', 'skipped', 'failed']),
  deletedSnapshots: z.array(z.string()).default([]),
  message: z.string().optional(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

export const PruneJournalSchema = z.object({
  id: z.string(),
  project: z.string(),
  profile: z.string(),
  endpoint: z.string().optional(),
  /** Written by a prune from before per-environment parameters: the one parameter it asked about. */
  parameter: z.string().optional(),
  /** The published parameters (one per environment) an image must not be named by to be retired. */
  parameters: z.array(z.string()).optional(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  entries: z.array(JournalEntrySchema),
});
export type PruneJournal = z.infer<typeof PruneJournalSchema>;

export function journalFile(dataDir: string, project: string): string {
  return join(dataDir, 'prunes', `${project}.json`);
}

export async function readJournal(dataDir: string, project: string): Promise<PruneJournal | undefined> {
  const text = await readTextIfExists(journalFile(dataDir, project));
  if (text === undefined) return undefined;
  const parsed = PruneJournalSchema.safeParse(parseOr(text));
  if (!parsed.success)
    throw new AppError(
      'INTERNAL',
      `The prune journal of ${project} is damaged; remove ${journalFile(dataDir, project)} after checking it.`,
    );
  return parsed.data;
}

export function writeJournal(dataDir: string, journal: PruneJournal): Promise<void> {
  return writeAtomic(journalFile(dataDir, journal.project), `${JSON.stringify(journal, null, 2)}\n`);
}

export function newJournalId(): string {
  return `pr_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

// ── One prune per project at a time, across processes ─────────────────────────────────────────────────

const OWNER = z.object({ pid: z.number(), host: z.string() });

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Holds the project's prune lock (a directory, via proper-lockfile, kept fresh while held) for `work`. A lock
 * whose holder was killed on this machine is taken over at once — its pid is gone — and one from a machine
 * that vanished goes stale after 10 s; a live holder makes this prune wait its turn by failing fast.
 */
export async function withPruneLock<T>(dataDir: string, project: string, work: () => Promise<T>): Promise<T> {
  const dir = join(dataDir, 'prunes');
  const path = join(dir, `${project}.lock`);
  const ownerFile = join(dir, `${project}.lock-owner`);
  await ensureDir(dir);
  const take = () =>
    lock(path, {
      lockfilePath: path,
      realpath: false,
      stale: 10_000,
      retries: { retries: 3, minTimeout: 50, maxTimeout: 200 },
    });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (error) {
    if (errnoCode(error) !== 'ELOCKED') throw error;
    const owner = OWNER.safeParse(parseOr(await readFile(ownerFile, 'utf8').catch(() => '')));
    const dead = owner.success && owner.data.host === hostname() && !processExists(owner.data.pid);
    if (!dead) {
      const who = owner.success ? ` (pid ${owner.data.pid} on ${owner.data.host})` : '';
      throw new AppError(
        'CONFLICT',
        `A prune of ${project} is already running${who}; try again when it is done.`,
      );
    }
    await rm(path, { recursive: true, force: true });
    release = await take();
  }
  try {
    await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() }));
    return await work();
  } finally {
    await rm(ownerFile, { force: true }).catch(() => undefined);
    await release().catch(() => undefined);
  }
}
