import { randomUUID } from 'node:crypto';
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { systemClock } from '../clock';
import { readTextIfExists, replaceFile } from './atomic';
import type { StoreContext } from './context';
import { withLock } from './lock';
import { parseJsonAs } from './parse-json';

/** Different for every process incarnation, so a reused pid never passes for the process that died. */
const PROCESS_START_TOKEN = randomUUID();

const OwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startToken: z.string(),
  actor: z.string(),
  claimedAt: z.number(),
  heartbeatAt: z.number(),
});
export type BakeOwner = z.infer<typeof OwnerSchema>;

export type LiveOwner =
  | { live: true; owner: BakeOwner }
  | {
      live: false;
      owner?: BakeOwner;
      reason: 'no-owner' | 'dead-process' | 'stale-heartbeat' | 'unreadable';
    };

export interface OwnerOptions {
  /**
   * Which process incarnation this store speaks for. Default: one random token per process. Tests give two
   * stores in one process different tokens to make them two owners, as two processes would be.
   */
  processToken?: string;
  /** How often a claim rewrites its heartbeat. Default 5 s. */
  heartbeatMs?: number;
  /** A heartbeat older than this means the owner is gone (or frozen). Default 30 s. */
  staleMs?: number;
  /** Wall-clock time: liveness is about real processes, so this is real time even under a VirtualClock. */
  now?: () => number;
}

export interface BakeClaim {
  readonly bakeId: string;
  readonly owner: BakeOwner;
  /** Stops the heartbeat and removes owner.json (if still ours): the bake is no longer being run. */
  release(): Promise<void>;
}

/**
 * Which live process runs a bake. Crash recovery uses it to find bakes whose process died (even by
 * SIGKILL) without stealing a bake another process — the app, a CLI in CI, a webhook server — is running.
 * owner.json is replaced atomically but never fsync'ed: it speaks of live processes, a power cut leaves
 * none, so a heartbeat lost to one changes nothing (and heartbeats never compete with journal fsyncs).
 */
export class BakeOwners {
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;
  private readonly token: string;

  constructor(
    private readonly ctx: StoreContext,
    opts: OwnerOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 5_000;
    this.staleMs = opts.staleMs ?? 30_000;
    this.now = opts.now ?? (() => systemClock.now());
    this.token = opts.processToken ?? PROCESS_START_TOKEN;
  }

  /** This process as the owner of a bake, claimed now. */
  newOwner(): BakeOwner {
    const at = this.now();
    return {
      pid: process.pid,
      hostname: this.ctx.identity.hostname,
      startToken: this.token,
      actor: this.ctx.identity.actor,
      claimedAt: at,
      heartbeatAt: at,
    };
  }

  /**
   * Claims a bake for this process and keeps a heartbeat until released. Fails with CONFLICT when another
   * live process owns it. `onLost` runs if another process takes the bake over (after our heartbeat went
   * stale, e.g. this process was frozen).
   */
  async claim(bakeId: string, onLost?: (by: BakeOwner) => void): Promise<BakeClaim> {
    const dir = this.ctx.paths.bakeDir(bakeId);
    if (!(await stat(dir).catch(() => undefined))) throw new AppError('NOT_FOUND', `No bake ${bakeId}.`);
    const owner = await this.locked(bakeId, async () => {
      const current = await this.liveOwner(bakeId);
      if (current.live && !this.isMe(current.owner)) {
        const o = current.owner;
        throw new AppError(
          'CONFLICT',
          `Bake ${bakeId} is being run by ${o.actor} (pid ${o.pid} on ${o.hostname}).`,
        );
      }
      const mine = this.newOwner();
      await replaceFile(this.ctx.paths.ownerFile(bakeId), ownerJson(mine));
      return mine;
    });
    return this.keepAlive(bakeId, owner, onLost);
  }

  /**
   * Starts the heartbeat of an owner.json already written for this process — by `claim`, or inside a new
   * bake's directory before it appeared, so no other process ever sees that bake without a live owner.
   */
  keepAlive(bakeId: string, owner: BakeOwner, onLost?: (by: BakeOwner) => void): BakeClaim {
    const file = this.ctx.paths.ownerFile(bakeId);
    const locked = <T>(fn: () => Promise<T>) => this.locked(bakeId, fn);
    let released = false;
    let inflight: Promise<void> | undefined;
    const beat = () =>
      locked(async () => {
        if (released) return;
        const current = await this.read(bakeId);
        if (current && !this.isMe(current)) {
          released = true;
          clearInterval(timer);
          this.ctx.logger.warn(
            `Bake ${bakeId} was taken over by ${current.actor} (pid ${current.pid} on ${current.hostname}).`,
          );
          onLost?.(current);
          return;
        }
        await replaceFile(file, ownerJson({ ...owner, heartbeatAt: this.now() }));
      }).catch((error: unknown) => {
        this.ctx.logger.warn(
          `Heartbeat for bake ${bakeId} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    const timer = setInterval(() => {
      inflight ??= beat().finally(() => (inflight = undefined));
    }, this.heartbeatMs);
    // The heartbeat must never keep a finished CLI alive.
    timer.unref();

    return {
      bakeId,
      owner,
      release: async () => {
        released = true;
        clearInterval(timer);
        await inflight;
        await locked(async () => {
          const current = await this.read(bakeId);
          if (current && this.isMe(current)) await unlink(file).catch(() => undefined);
        });
      },
    };
  }

  async liveOwner(bakeId: string): Promise<LiveOwner> {
    const text = await readTextIfExists(this.ctx.paths.ownerFile(bakeId));
    if (text === undefined) return { live: false, reason: 'no-owner' };
    const owner = parseJsonAs(OwnerSchema, text);
    if (!owner) return { live: false, reason: 'unreadable' };
    if (this.now() - owner.heartbeatAt > this.staleMs)
      return { live: false, owner, reason: 'stale-heartbeat' };
    // Another host's pid means nothing here; a fresh heartbeat from a shared data directory is trusted.
    if (owner.hostname === this.ctx.identity.hostname && !processExists(owner.pid)) {
      return { live: false, owner, reason: 'dead-process' };
    }
    return { live: true, owner };
  }

  /** Whether this process (this store's incarnation) owns the bake now, by its owner.json alone. */
  async isMine(bakeId: string): Promise<boolean> {
    const owner = await this.read(bakeId);
    return owner !== undefined && this.isMe(owner);
  }

  private async read(bakeId: string): Promise<BakeOwner | undefined> {
    const text = await readTextIfExists(this.ctx.paths.ownerFile(bakeId));
    return text === undefined ? undefined : parseJsonAs(OwnerSchema, text);
  }

  private isMe(owner: BakeOwner): boolean {
    return owner.startToken === this.token && owner.pid === process.pid;
  }

  /** Claims and heartbeats take the same lock, so a takeover and a heartbeat never interleave. */
  private locked<T>(bakeId: string, fn: () => Promise<T>): Promise<T> {
    return withLock(
      join(this.ctx.paths.bakeDir(bakeId), 'owner.lock'),
      `Bake ${bakeId}`,
      this.ctx.logger,
      fn,
    );
  }
}

export function ownerJson(owner: BakeOwner): string {
  return `${JSON.stringify(owner)}\n`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
