import { z } from 'zod';
import { BakeIdSchema, isFinalStatus, type BakeRecord } from '../../../shared/bake';
import { deployTargetsFor } from '../../../shared/environments';
import type { Project } from '../../../shared/project';
import type { BakeEngine } from '../bake';
import type { Store } from '../store';
import { readTextIfExists, writeAtomic } from '../store/atomic';
import { withLock } from '../store/lock';
import { parseJsonAs } from '../store/parse-json';
import type { StoreLogger } from '../store/quarantine';
import type { WebhookPaths } from './paths';
import type { RateLimiter } from './rate-limiter';
import type { ReplayMarkers } from './replay-markers';

/** What an authenticated request asks for, once it is known to bake. */
export interface BakeTicket {
  project: Project;
  profile: string;
  region?: string;
  /** The project's environment the pushed branch maps to (triggers.environments); none: its own values. */
  environment?: string;
  /** How a repeat of this request is recognised (fingerprint.ts); none for a bare token call. */
  fingerprint?: string;
}

export type BakeOutcome =
  /** A new bake; `behind` names the running one it waits for. */
  | { kind: 'started'; record: BakeRecord; behind?: string }
  /** A queued bake already waits and will bake what this request asked for: this request joined it. */
  | { kind: 'joined'; bakeId: string }
  /** The same signed request (or the same commit) was served before: the bake it got. */
  | { kind: 'repeat'; bakeId: string }
  | { kind: 'rate-limited'; retryAfterSeconds: number };

const QueueFileSchema = z.object({ bakes: z.array(BakeIdSchema).max(2) });

/**
 * A project has at most one running and one queued bake from the webhook, whichever listener (the app's,
 * `quadraxis serve`) took the request: decisions are made under a lock on the project's queue file, which
 * lists its two latest webhook bakes. A request for a project whose next bake is already queued joins that
 * bake — it starts after the running one ends, so it bakes the newest sources anyway. A request seen before
 * gets the bake it got then.
 */
export class WebhookBakes {
  constructor(
    private readonly deps: {
      engine: Pick<BakeEngine, 'start' | 'get'>;
      bakes: Pick<Store['bakes'], 'liveOwner'>;
      paths: WebhookPaths;
      logger: StoreLogger;
      limiter: RateLimiter;
      replays: ReplayMarkers;
    },
  ) {}

  /** Starts, joins or recognises; rejects (with the engine's error) only when a bake had to start and did not. */
  request(ticket: BakeTicket): Promise<BakeOutcome> {
    const { paths, logger } = this.deps;
    const name = ticket.project.name;
    // Each environment queues on its own: a push to main (prod) never joins a queued dev bake.
    const queue = ticket.environment ? `${name}@${ticket.environment}` : name;
    return withLock(paths.queueLock(queue), `the webhook bakes of ${queue}`, logger, async () => {
      const { fingerprint } = ticket;
      if (fingerprint) {
        const seen = await this.deps.replays.find(name, fingerprint);
        if (seen) return { kind: 'repeat', bakeId: seen };
      }
      const live = await this.liveBakes(queue);
      const queued = live.length >= 2 ? live[live.length - 1] : undefined;
      if (queued) {
        if (fingerprint) await this.deps.replays.remember(name, fingerprint, queued);
        return { kind: 'joined', bakeId: queued };
      }
      const rate = this.deps.limiter.take(name);
      if (!rate.ok) return { kind: 'rate-limited', retryAfterSeconds: rate.retryAfterSeconds };
      const behind = live[0];
      let record: BakeRecord;
      try {
        record = await this.start(ticket, behind);
      } catch (error) {
        this.deps.limiter.giveBack(name);
        throw error;
      }
      await writeAtomic(paths.queueFile(queue), `${JSON.stringify({ bakes: [...live, record.id] })}\n`);
      if (fingerprint) await this.deps.replays.remember(name, fingerprint, record.id);
      return { kind: 'started', record, ...(behind ? { behind } : {}) };
    });
  }

  /**
   * The webhook's one call that starts a bake: everything a webhook bake is asked to do is decided here.
   * A push changes what the script fetches, not the project, so an "identical" earlier image is no reason
   * to skip (force); the queued bake waits for the running one (after) instead of joining its builder.
   */
  private start(ticket: BakeTicket, after: string | undefined): Promise<BakeRecord> {
    return this.deps.engine.start({
      project: ticket.project,
      profile: ticket.profile,
      ...(ticket.region ? { region: ticket.region } : {}),
      trigger: 'webhook',
      force: true,
      ...(ticket.environment ? { environment: ticket.environment } : {}),
      ...(after ? { after } : {}),
      // Only to the groups meant for this bake's environment; a branch with none bakes without deploying.
      deploy:
        ticket.project.deploy?.afterWebhookBake === true &&
        deployTargetsFor(ticket.project, ticket.environment).length > 0,
    });
  }

  /** The project's webhook bakes that have not ended and whose process still runs them, oldest first. */
  private async liveBakes(queue: string): Promise<string[]> {
    const text = await readTextIfExists(this.deps.paths.queueFile(queue));
    const listed = (text ? parseJsonAs(QueueFileSchema, text)?.bakes : undefined) ?? [];
    const live: string[] = [];
    for (const id of listed) {
      const record = await this.deps.engine.get(id).catch(() => undefined);
      if (!record || isFinalStatus(record.status)) continue;
      // A bake left behind by a process that died is recovered at its next start; it runs nothing now.
      const owner = await this.deps.bakes.liveOwner(id).catch(() => undefined);
      if (owner?.live) live.push(id);
    }
    return live;
  }
}
