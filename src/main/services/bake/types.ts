import type { BakeEvent, BakeRecord, BakeStatus } from '../../../shared/bake';
import type { Project } from '../../../shared/project';
import type { AwsClients } from '../aws/clients';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Pruner } from '../delivery/retention/pruner';
import type { Store } from '../store';
import type { RegionRegistry, RegionServices } from './region-services';

export interface ConnectRequest {
  profile: string;
  region?: string;
  endpoint?: string;
}

/** Clients for one profile and region (from the aws services' createAwsClients), and whose account they reach. */
export interface Connection {
  clients: AwsClients;
  region: string;
  /** Account id, or the endpoint for simulated/overridden targets: bakes with the same key share a poller. */
  accountKey: string;
  simulated: boolean;
}

export type Connect = (request: ConnectRequest) => Promise<Connection>;

/** The parts of the store the engine uses (the real store satisfies it; tests may wrap it). */
export interface EngineStore {
  bakes: Pick<
    Store['bakes'],
    | 'create'
    | 'appendEvents'
    | 'get'
    | 'show'
    | 'list'
    | 'orphans'
    | 'claim'
    | 'liveOwner'
    | 'readConsole'
    | 'inputs'
    | 'flush'
  >;
  versions: Pick<Store['versions'], 'record' | 'list' | 'latest'>;
  projects: Pick<Store['projects'], 'get'>;
}

export interface EngineDeps {
  store: EngineStore;
  clock: Clock;
  connect: Connect;
  logger?: Logger;
  appVersion: string;
  limits?: { perRegion?: number };
  /** Pollers and limiters shared with deploys (the runtime makes one registry for both); default: its own. */
  regions?: RegionRegistry;
  /**
   * The base tick (default 2000 ms): the shortest gap between two polls of a region and between two console
   * reads, and the unit the look schedules scale with (tests and QUADRAXIS_POLL_MS shrink it).
   */
  pollIntervalMs?: number;
  /**
   * The data directory: where prunes journal (prunes/<project>.json). Without it the engine has no pruner
   * and a bake's "prune after bake" is skipped with a note.
   */
  dataDir?: string;
}

export interface StartRequest {
  project: Project;
  profile: string;
  region?: string;
  endpoint?: string;
  trigger: 'app' | 'cli' | 'webhook';
  /** Bake even when an identical bake already succeeded (its image still exists). */
  force?: boolean;
  /** One of the project's named environments: applied to the project before anything else (issue 18). */
  environment?: string;
  /**
   * Deploy the new version to every deploy target the project names once the bake succeeds (a failed bake
   * never deploys). The runtime does it (src/main/services/deploy/after-bake.ts); the engine only carries it.
   */
  deploy?: boolean;
  /**
   * Start only once this bake has ended (queued until then; a cancel while waiting cancels it). The webhook
   * queues a project's next bake behind its running one, so the push it was asked for is really baked
   * instead of joining a builder that started from older sources.
   */
  after?: string;
}

export interface BakeFilter {
  project?: string;
  status?: BakeStatus;
  limit?: number;
  /** A bake id: only older bakes. */
  before?: string;
}

export interface RecoveredBake {
  bakeId: string;
  project: string;
  /**
   * resumed: running again in this engine from where it stopped (follow it with waitForFinal / subscribe);
   * cleaned: it could not be resumed and its leftovers were removed; interrupted: nothing was left to do.
   */
  outcome: 'resumed' | 'cleaned' | 'interrupted' | 'unreachable' | 'skipped';
  actions: string[];
  message: string;
}

export interface RecoveryReport {
  bakes: RecoveredBake[];
}

export interface SweepCandidate {
  instanceId: string;
  state: string;
  bakeId?: string;
  project?: string;
  launchedAt?: number;
}

export interface SweepRequest extends ConnectRequest {
  /**
   * Shown the orphaned builders; resolves true to terminate them all, or the ids of those to terminate
   * (anything not among the ones shown is ignored), or false for none.
   */
  confirm: (instances: SweepCandidate[]) => Promise<boolean | readonly string[]>;
}

export interface SweepReport {
  region: string;
  found: SweepCandidate[];
  /** Builders still owned by a live bake: left alone. */
  owned: string[];
  confirmed: boolean;
  terminated: string[];
  failed: { instanceId: string; message: string }[];
}

export interface ShutdownOptions {
  /** Cancel and clean up every bake instead of leaving launched ones for the next start. */
  cancel?: boolean;
}

export interface ConsoleWatchOptions {
  /** Who watches: watching again with the same holder renews its lease instead of adding a watch. */
  holder?: string;
  /** The watch lapses this long after it was last (re)taken. Default: until released. */
  leaseMs?: number;
}

export interface BakeEngine {
  /**
   * Resolves at once with the queued record; progress arrives through subscribe(). Rejects, recording
   * nothing, with CONFLICT (details: reason "identical", imageId, version, bakeId) when a version of the
   * project was baked from identical inputs and its image still exists, unless `force`.
   */
  start(request: StartRequest): Promise<BakeRecord>;
  cancel(bakeId: string): Promise<void>;
  get(bakeId: string): Promise<BakeRecord | undefined>;
  list(filter?: BakeFilter): Promise<BakeRecord[]>;
  subscribe(listener: (event: BakeEvent) => void): () => void;
  /**
   * Streams the builder's console (as `console` events) while someone looks at it. GetConsoleOutput cannot
   * be batched, so an unwatched bake reads its console only once its builder powers off (and on failure).
   * The watch lasts until the returned function is called or its lease lapses; a bake not running in this
   * engine makes it a no-op.
   */
  watchConsole(bakeId: string, options?: ConsoleWatchOptions): () => void;
  waitForFinal(bakeId: string): Promise<BakeRecord>;
  recover(): Promise<RecoveryReport>;
  sweep(request: SweepRequest): Promise<SweepReport>;
  /** Bakes allowed at once per account and region, from now on (Settings change it while the app runs). */
  setPerRegionLimit(limit: number): void;
  /** The shared limiter and poller of an account and region, for work beside bakes (prunes). */
  regionServices(connection: Connection): RegionServices;
  /** Retention (prune plans and prunes) over the same regions, limiters and pollers; needs EngineDeps.dataDir. */
  readonly pruner: Pruner | undefined;
  /**
   * Stops the engine without waiting on AWS. Bakes that launched something are left journaled, unowned, for
   * the next start's recover() to resume (or finish cleaning up); bakes that launched nothing (queued, in
   * preflight) and joined bakes are cancelled, which for them is immediate. With `cancel`, every bake is
   * cancelled and cleaned up first (slow: an image being made is waited for so it can be removed).
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}
