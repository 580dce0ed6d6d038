import { setMaxListeners } from 'node:events';
import type { BakeEvent, BakeRecord, BakeStep } from '../../../shared/bake';
import { applyBakeEvent } from '../../../shared/bake-reducer';
import type { Project } from '../../../shared/project';
import { WRAPPER_VERSION } from '../../../protocol/user-data';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { BakeClaim } from '../store';
import { callAws, type CallOptions, type CallScope, type Send } from './aws-call';
import { ConsoleFeed } from './console-feed';
import { ConsoleTail } from './console-tail';
import type { DeliveryPlan } from '../delivery/plan';
import type { RegionKeys } from '../delivery/preflight';
import type { Pruner } from '../delivery/retention/pruner';
import { RegionReach } from '../delivery/reach';
import type { RegionServices } from './region-services';
import { BuilderSchedule } from './schedules';
import type { ScriptWatch } from './script-watch';
import type { Connect, Connection, EngineStore, StartRequest } from './types';
import type { BuiltUserData } from './user-data';
import type { WaitScope } from './wait';

const MAX_SIGNAL_LISTENERS = 500;

/** A BakeEvent before the run stamps it with bake id, seq and time. */
export type EventBody = BakeEvent extends infer E
  ? E extends BakeEvent
    ? Omit<E, 'bakeId' | 'seq' | 'at'>
    : never
  : never;

/** Engine-wide collaborators every run uses. */
export interface RunEnv {
  store: EngineStore;
  clock: Clock;
  logger: Logger;
  appVersion: string;
  pollIntervalMs: number;
  broadcast: (event: BakeEvent) => void;
  /** For the other regions a bake delivers to: the same profile and endpoint, another region. */
  connect: Connect;
  /** The shared limiter and poller of an account and region (the engine's registry). */
  regionServices(connection: Connection): RegionServices;
  /** Retention, for projects that prune after each bake (absent without a data directory). */
  pruner?: Pruner;
}

/** What delivery works out in preflight (or again, for a resumed bake) and the later steps use. */
export interface DeliveryState {
  plan: DeliveryPlan;
  /** Each region's key as KMS describes it; undefined until checked. */
  keys?: RegionKeys;
}

/** What a bake has made or learned so far; what cleanup and recovery work from. */
export interface RunState {
  nonce: string;
  /** The completion protocol the builder's wrapper speaks (src/protocol/user-data.ts). */
  wrapperVersion: number;
  /** The instance type's hypervisor, from preflight: `xen` types publish their console late. */
  hypervisor?: string;
  userData?: BuiltUserData;
  /** The AMI the builder boots from (preflight resolves it; recovery knows only its id). */
  base?: { imageId: string; rootDeviceName?: string | undefined };
  imageName?: string;
  identityKey?: string;
  /** RunInstances was sent; if its answer never arrived, an instance may exist that only its tags reveal. */
  launchSent: boolean;
  launchAnswered: boolean;
  instanceId?: string;
  /** When RunInstances answered (or, for a resumed bake, when the launch step ended). */
  launchedAt?: number;
  createImageSent: boolean;
  createImageAnswered: boolean;
  imageId?: string;
  /** When CreateImage was sent: where the snapshot's progress counts from. */
  imageStartedAt?: number;
  snapshotIds: string[];
  scriptStartedAt?: number;
  version?: number;
  delivery?: DeliveryState;
}

/**
 * One bake in this process: its record (kept by applying its own events), its cancel signal, its share of
 * the region's services, and `emit`, which journals events (fsync) BEFORE anyone hears of them — so what
 * the UI has seen, a crash cannot unsee. The core is what cleanup needs; recovery can clean up after a
 * bake whose project is gone.
 */
export class BakeRunCore {
  readonly controller = new AbortController();
  readonly consoleTail = new ConsoleTail();
  readonly consoleFeed: ConsoleFeed = new ConsoleFeed(this);
  readonly state: RunState;
  record: BakeRecord;
  apiCalls = 0;
  currentStep: BakeStep | undefined;
  claim: BakeClaim | undefined;
  /** Set when another process took the bake over: stop without touching anything. */
  lost = false;
  /** Set when the engine shuts down and leaves this bake for the next start to resume. */
  suspended = false;
  /** Aborts only on suspension: cleanup must survive the cancel that started it, not a shutdown. */
  private readonly suspension = new AbortController();
  private seq: number;
  private readonly listeners = new Set<(event: BakeEvent) => void>();
  private deferred: EventBody[] = [];
  private writes: Promise<unknown> = Promise.resolve();
  private settle!: (record: BakeRecord) => void;
  private builder: BuilderSchedule | undefined;
  private regionsReach: RegionReach | undefined;
  readonly final: Promise<BakeRecord>;

  constructor(
    readonly env: RunEnv,
    readonly connection: Connection,
    readonly region: RegionServices,
    record: BakeRecord,
    state: Partial<RunState> & { nonce: string },
  ) {
    this.record = record;
    this.seq = record.seq;
    this.state = {
      wrapperVersion: WRAPPER_VERSION,
      launchSent: false,
      launchAnswered: false,
      createImageSent: false,
      createImageAnswered: false,
      snapshotIds: [],
      ...state,
    };
    this.final = new Promise((resolve) => (this.settle = resolve));
    // Every call and wait of the bake listens on these, and delivery runs many at once across regions.
    setMaxListeners(MAX_SIGNAL_LISTENERS, this.controller.signal, this.suspension.signal);
  }

  get id(): string {
    return this.record.id;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get suspendSignal(): AbortSignal {
    return this.suspension.signal;
  }

  /** Stops all work, cleanup included, leaving the journal as it is for the next start to carry on from. */
  suspend(): void {
    this.suspended = true;
    const reason = new AppError('UNAVAILABLE', 'Quadraxis is shutting down.');
    this.suspension.abort(reason);
    this.controller.abort(reason);
  }

  get clock(): Clock {
    return this.env.clock;
  }

  /**
   * When to look at the builder, shared by the steps that wait on it. Made at launch; a bake resumed in
   * this process looks at once — its builder may have finished while no one watched.
   */
  get builderSchedule(): BuilderSchedule {
    const now = this.clock.now();
    this.builder ??= new BuilderSchedule(this.env.pollIntervalMs, this.state.launchedAt ?? now, now);
    return this.builder;
  }

  /** A builder launched just now. */
  launched(at: number): void {
    this.state.launchedAt = at;
    this.builder = new BuilderSchedule(this.env.pollIntervalMs, at);
  }

  get logger(): Logger {
    return this.env.logger;
  }

  /** The bake's other regions (copies, shares, parameters), reached with its own profile and endpoint. */
  get reach(): RegionReach {
    this.regionsReach ??= new RegionReach(
      {
        connect: (region) =>
          this.env.connect({
            profile: this.record.profile,
            region,
            ...(this.record.endpoint ? { endpoint: this.record.endpoint } : {}),
          }),
        services: (connection) => this.env.regionServices(connection),
        clock: this.clock,
        onCall: () => this.apiCalls++,
      },
      this.connection,
    );
    return this.regionsReach;
  }

  /**
   * Holds an event back to be journaled with the next emit (a step's "done" with the next step's "running"):
   * one fsync instead of two, and nothing else can happen in between.
   */
  defer(body: EventBody): void {
    this.deferred.push(body);
  }

  /** The record as it will be once held-back events and `bodies` are applied (nothing is journaled). */
  preview(...bodies: EventBody[]): BakeRecord {
    let seq = this.seq;
    return [...this.deferred, ...bodies].reduce<BakeRecord>(
      (record, body) =>
        applyBakeEvent(record, { ...body, bakeId: this.id, seq: ++seq, at: this.clock.now() }),
      this.snapshot(),
    );
  }

  /** Journals the events (appended and fsync'ed), then applies and broadcasts them, in order. */
  emit(...bodies: EventBody[]): Promise<void> {
    const events: BakeEvent[] = [...this.deferred.splice(0), ...bodies].map((body) => ({
      ...body,
      bakeId: this.id,
      seq: ++this.seq,
      at: this.clock.now(),
    }));
    const written = this.writes.then(() => this.env.store.bakes.appendEvents(this.id, events));
    this.writes = written.catch(() => undefined);
    return written.then(() => {
      for (const event of events) {
        this.record = applyBakeEvent(this.record, event);
        this.env.broadcast(event);
        for (const listener of this.listeners) listener(event);
      }
    });
  }

  /** This bake's events only (after they are journaled); how a joined twin mirrors its leader. */
  subscribe(listener: (event: BakeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The record as callers see it: with the live call count, which is journaled only at the end. */
  snapshot(): BakeRecord {
    return { ...this.record, apiCalls: this.apiCalls };
  }

  scope(signal: AbortSignal = this.signal): CallScope & WaitScope {
    return { clock: this.clock, limiter: this.region.limiter, signal, onCall: () => this.apiCalls++ };
  }

  /** One EC2/SSM call on behalf of this bake: rate-limited, counted, cancellable, retried when transient. */
  call<T>(action: string, send: Send<T>, options?: CallOptions & { signal?: AbortSignal }): Promise<T> {
    return callAws(this.scope(options?.signal), action, send, options);
  }

  resolveFinal(record: BakeRecord): void {
    this.settle(record);
  }
}

/** A bake with its project: what the steps need. */
export class BakeRun extends BakeRunCore {
  request: Pick<StartRequest, 'force'> = {};
  /** Reads the wrapper's markers from launch until the script's end is known (wrapper mode). */
  scriptWatch: ScriptWatch | undefined;
  /** A resumed bake's saved console, read once by its script watch: markers may be anywhere in it. */
  loggedConsole: string[] = [];

  constructor(
    env: RunEnv,
    readonly project: Project,
    connection: Connection,
    region: RegionServices,
    record: BakeRecord,
    state: Partial<RunState> & { nonce: string },
  ) {
    super(env, connection, region, record, state);
  }
}
