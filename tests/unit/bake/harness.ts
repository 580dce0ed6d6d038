import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BakeEvent, BakeRecord } from '../../../src/shared/bake';
import type { Project } from '../../../src/shared/project';
import { createAwsClients, type AwsClients } from '../../../src/main/services/aws/clients';
import {
  createBakeEngine,
  type BakeEngine,
  type Connect,
  type EngineDeps,
  type EngineStore,
  type StartRequest,
} from '../../../src/main/services/bake';
import { VirtualClock } from '../../../src/main/services/clock';
import {
  clockTrackingExtension,
  SANDBOX_CREDENTIALS,
  startSandbox,
  type SandboxHandle,
  type SandboxTimings,
} from '../../../src/sandbox';
import { createStore, type Store } from '../../../src/main/services/store';
import { TAG_BAKE_ID, TAG_ROLE } from '../../../src/protocol/builder-tags';
import { project, REGION } from './fixtures';
import { FAST_BAKE_TIMINGS } from '../../helpers/sandbox-timings';

const quiet = { warn: () => undefined };

export interface HarnessOptions {
  timings?: Partial<SandboxTimings>;
  perRegion?: number;
  /** Wraps the store the engine sees (to freeze an engine mid-bake). */
  wrapStore?: (store: Store) => EngineStore;
  /** Wraps every connection the engine makes. */
  wrapConnect?: (connect: Connect) => Connect;
}

/**
 * A sandbox on a VirtualClock in auto mode, a store in a temp dir and an engine wired to both. The SDK does
 * not retry (maxAttempts 1): the engine's own retries run on virtual time, so fault storms cost nothing.
 */
export class BakeHarness {
  readonly clients = new Map<string, AwsClients>();
  engines: BakeEngine[] = [];
  readonly events: BakeEvent[] = [];

  private constructor(
    readonly clock: VirtualClock,
    readonly sandbox: SandboxHandle,
    readonly dataDir: string,
    readonly store: Store,
    private readonly options: HarnessOptions,
  ) {}

  static async create(options: HarnessOptions = {}): Promise<BakeHarness> {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
    const sandbox = await startSandbox({
      seed: 'bake-tests',
      clock,
      timings: { ...FAST_BAKE_TIMINGS, ...options.timings },
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'qx-bake-'));
    const store = createStore({ dataDir, clock, logger: quiet, actor: 'bake tests' });
    const harness = new BakeHarness(clock, sandbox, dataDir, store, options);
    clock.startAuto();
    return harness;
  }

  get sim() {
    return this.sandbox.sim;
  }

  readonly connect: Connect = (request) => {
    const region = request.region ?? REGION;
    let clients = this.clients.get(region);
    if (!clients) {
      const url = request.endpoint ?? this.sandbox.url;
      clients = createAwsClients(
        {
          profile: 'sandbox',
          kind: 'sandbox',
          region,
          endpoints: { ec2: url, sts: url, ssm: url, kms: url, autoscaling: url },
          simulated: true,
          fromConfigFiles: false,
          credentials: () => Promise.resolve({ ...SANDBOX_CREDENTIALS }),
        },
        // Standard, not adaptive: the adaptive mode's client-side rate limiter sleeps in real time.
        {
          maxAttempts: 1,
          clientConfig: { retryMode: 'standard', extensions: [clockTrackingExtension(this.clock)] },
        },
      );
      this.clients.set(region, clients);
    }
    return Promise.resolve({ clients, region, accountKey: this.sandbox.url, simulated: true });
  };

  /** A fresh engine over the same sandbox and data directory (a new engine = a new process, for recovery). */
  engine(
    more: Partial<EngineDeps> = {},
    store: EngineStore = this.options.wrapStore?.(this.store) ?? this.store,
  ): BakeEngine {
    const engine = createBakeEngine({
      store,
      clock: this.clock,
      connect: this.options.wrapConnect?.(this.connect) ?? this.connect,
      appVersion: '0.0.0-test',
      dataDir: this.dataDir,
      ...(this.options.perRegion ? { limits: { perRegion: this.options.perRegion } } : {}),
      ...more,
    });
    engine.subscribe((event) => this.events.push(event));
    this.engines.push(engine);
    return engine;
  }

  /** A start request for the sandbox through its URL, as `--endpoint` would (so recovery can reach it again). */
  request(p: Project = project(), more: Partial<StartRequest> = {}): StartRequest {
    return {
      project: p,
      profile: 'sandbox',
      region: REGION,
      endpoint: this.sandbox.url,
      trigger: 'cli',
      ...more,
    };
  }

  async bake(
    p: Project = project(),
    engine = this.engines[0] ?? this.engine(),
    more: Partial<StartRequest> = {},
  ): Promise<BakeRecord> {
    const started = await engine.start(this.request(p, more));
    return engine.waitForFinal(started.id);
  }

  eventsOf(bakeId: string): BakeEvent[] {
    return this.events.filter((e) => e.bakeId === bakeId);
  }

  /**
   * An engine that can be "killed" like a process: from the moment `kill()` runs, nothing it has sent or
   * sends gets an answer (requests still reach the sandbox, as they would just before a crash — unless
   * `dropLateRequests`: then what it sends after the kill never leaves) and nothing more reaches its store.
   * It is not shut down at the end (it is dead).
   */
  killable(options: { dropLateRequests?: boolean } = {}): { engine: BakeEngine; kill: () => void } {
    let dead = false;
    const never = new Promise<never>(() => undefined);
    const gate = <T>(work: () => Promise<T>): Promise<T> => {
      if (dead) return never;
      return work().then(
        (value) => (dead ? never : value),
        (error: unknown) => (dead ? never : Promise.reject(error as Error)),
      );
    };
    const freezeAll = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(t, key) {
          const value: unknown = Reflect.get(t, key);
          return typeof value === 'function'
            ? (...args: unknown[]) => gate(() => Reflect.apply(value, t, args) as Promise<unknown>)
            : value;
        },
      });
    const sends = <T extends { send: (...args: never[]) => Promise<unknown> }>(client: T): T =>
      new Proxy(client, {
        get(t, key) {
          if (key !== 'send') return Reflect.get(t, key) as unknown;
          return (...args: never[]) => {
            if (dead && options.dropLateRequests) return never;
            const sent = t.send(...args);
            return dead
              ? sent.then(
                  () => never,
                  () => never,
                )
              : gate(() => sent);
          };
        },
      });
    const store: EngineStore = {
      bakes: freezeAll(this.store.bakes),
      versions: freezeAll(this.store.versions),
      projects: freezeAll(this.store.projects),
    };
    const connect: Connect = async (request) => {
      const connection = await this.connect(request);
      const { clients } = connection;
      return {
        ...connection,
        clients: { ...clients, ec2: sends(clients.ec2), ssm: sends(clients.ssm), kms: sends(clients.kms) },
      };
    };
    const engine = createBakeEngine({
      store,
      clock: this.clock,
      connect,
      appVersion: '0.0.0-test',
      dataDir: this.dataDir,
    });
    engine.subscribe((event) => this.events.push(event));
    return { engine, kill: () => (dead = true) };
  }

  /** The same data directory seen by another process, for which the killed engine's heartbeat is stale. */
  survivorStore(): Store {
    return createStore({
      dataDir: this.dataDir,
      clock: this.clock,
      logger: quiet,
      owner: { now: () => Date.now() + 3_600_000 },
    });
  }

  /** Runs `action` (synchronously, inside the engine's emit) on the first event matching `match`. */
  when(
    match: (event: BakeEvent) => boolean,
    action: (event: BakeEvent) => void,
    engine = this.engines[0]!,
  ): void {
    const off = engine.subscribe((event) => {
      if (!match(event)) return;
      off();
      action(event);
    });
  }

  /** The builder of the bake (from its journaled resource event). */
  instanceOf(bakeId: string): string {
    const event = this.eventsOf(bakeId).find((e) => e.type === 'resource' && e.kind === 'instance');
    if (event?.type !== 'resource') throw new Error(`bake ${bakeId} has no instance yet`);
    return event.id;
  }

  /** Resolves once an event matching `match` has been emitted. */
  waitForEvent(match: (event: BakeEvent) => boolean): Promise<BakeEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const engine = this.engines[0]!;
      const off = engine.subscribe((event) => {
        if (!match(event)) return;
        off();
        resolve(event);
      });
    });
  }

  /**
   * What the guarantees promise, read from the simulator itself: no builder left pending/running/stopped,
   * no image or snapshot that no recorded version uses, no builder volume left behind.
   */
  async expectNoLeaks(): Promise<void> {
    const kept = new Set<string>();
    const keptSnapshots = new Set<string>();
    for (const entry of await this.versionsOfAll()) {
      kept.add(entry.imageId);
      for (const s of entry.snapshotIds) keptSnapshots.add(s);
    }
    const liveBuilders = this.sim
      .instances()
      .filter((i) => i.tags[TAG_ROLE] === 'builder' && !['shutting-down', 'terminated'].includes(i.state));
    expect(liveBuilders.map((i) => `${i.instanceId} ${i.state}`)).toEqual([]);
    expect(
      this.sim
        .images()
        .filter((i) => !kept.has(i.imageId))
        .map((i) => `${i.imageId} ${i.state}`),
    ).toEqual([]);
    const ours = this.sim
      .snapshots()
      .filter((s) => s.tags[TAG_BAKE_ID] !== undefined || !this.isCatalogueSnapshot(s.snapshotId));
    expect(ours.filter((s) => !keptSnapshots.has(s.snapshotId)).map((s) => s.snapshotId)).toEqual([]);
    // Volumes of terminated builders go with them (DeleteOnTermination) once termination completes.
    await this.clock.advance(this.sim.timings.shuttingDownMs + 1);
    expect(
      this.sim
        .volumes()
        .filter((v) => v.state === 'available')
        .map((v) => v.volumeId),
    ).toEqual([]);
  }

  private catalogueSnapshots: Set<string> | undefined;

  private isCatalogueSnapshot(id: string): boolean {
    this.catalogueSnapshots ??= new Set(
      this.sim
        .snapshots()
        .filter((s) => !s.tags[TAG_BAKE_ID])
        .map((s) => s.snapshotId),
    );
    return this.catalogueSnapshots.has(id);
  }

  private async versionsOfAll() {
    const names = new Set((await this.store.bakes.list({ limit: 1000 })).map((r) => r.project));
    const all = [];
    for (const name of names) all.push(...(await this.store.versions.list(name, { limit: 1000 })));
    return all;
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const engine of this.engines) await engine.shutdown().catch(() => undefined);
    this.clock.stopAuto();
    for (const clients of this.clients.values()) clients.destroy();
    await this.sandbox.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export { project, REGION };
