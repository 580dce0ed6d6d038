import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { isThrottling } from './aws-call';
import {
  describeImages,
  describeInstances,
  describeSnapshots,
  type Describe,
  type ImageView,
  type InstanceView,
  type SnapshotView,
} from './poll-calls';
import {
  describeGroups,
  describeRefreshes,
  type AutoScalingDescribe,
  type GroupView,
  type RefreshView,
} from './poll-calls-autoscaling';
import type { RegionLimiter } from './rate-limiter';

export type { ImageView, InstanceView, SnapshotView } from './poll-calls';
export type { GroupView, RefreshView } from './poll-calls-autoscaling';

/** What one look saw for one key: the resource, its absence, or the error that hid it. */
export type Observation<T> =
  { kind: 'found'; value: T } | { kind: 'missing' } | { kind: 'error'; error: unknown };

/** When a watcher wants its next look, and how much earlier it may come to share a call made for others. */
export interface Look {
  at: number;
  slackMs: number;
}

/** Parked: waiting on something other than this look (another watcher, the console). */
export const NO_LOOK: Look = { at: Number.POSITIVE_INFINITY, slackMs: 0 };

export interface Watcher<T> {
  onCall(): void;
  onObservation(observation: Observation<T>): void;
  /** Read whenever the poller plans its next tick, so it may change at any time (then call wake()). */
  nextLook(): Look;
}

/** EC2 accepts up to 200 values per filter. */
const KEYS_PER_CALL = 200;
const MAX_BACKOFF_MS = 30_000;

export interface PollerOptions {
  ec2: EC2Client;
  clock: Clock;
  limiter: RegionLimiter;
  /** For deploys' looks at instance refreshes and groups (absent: nobody may watch those). */
  autoScaling?: AutoScalingClient;
  /** The shortest time between two ticks (the engine's base tick). */
  intervalMs: number;
  logger: Logger;
}

interface Kind<T> {
  action: string;
  describe: Describe<T>;
  watchers: Map<string, Set<Watcher<T>>>;
  /** Keys one call carries (default: EC2's 200 filter values). */
  keysPerCall?: number;
}

/**
 * One poller per account and region. Every waited-on resource brings its own schedule (Watcher.nextLook):
 * the poller sleeps until the earliest look anyone wants, then makes ONE call per kind — DescribeInstances,
 * DescribeSnapshots, DescribeImages, in that order, so a snapshot found complete is confirmed as an
 * available image in the same tick — for every watcher due, plus those whose look may come a little early.
 * A tick with nobody due makes no call; ticks are at least `intervalMs` apart; on throttling the poller backs
 * off (doubling, up to 30 s) until a tick goes through.
 */
export class RegionPoller {
  private readonly instances: Kind<InstanceView> = {
    action: 'DescribeInstances',
    describe: describeInstances,
    watchers: new Map(),
  };
  private readonly snapshots: Kind<SnapshotView[]> = {
    action: 'DescribeSnapshots',
    describe: describeSnapshots,
    watchers: new Map(),
  };
  private readonly images: Kind<ImageView> = {
    action: 'DescribeImages',
    describe: describeImages,
    watchers: new Map(),
  };
  /** Deploys: one DescribeInstanceRefreshes per watched group (the API takes one group), then… */
  private readonly refreshes: Kind<RefreshView[]> = this.autoScalingKind(
    'autoscaling:DescribeInstanceRefreshes',
    describeRefreshes,
    1,
  );
  /** …one DescribeAutoScalingGroups for every watched group, for their instances one by one. */
  private readonly groups: Kind<GroupView> = this.autoScalingKind(
    'autoscaling:DescribeAutoScalingGroups',
    describeGroups,
    50,
  );
  private readonly controller = new AbortController();
  private running = false;
  private waker: AbortController | undefined;
  private lastTickAt = Number.NEGATIVE_INFINITY;
  private backoffMs = 0;

  constructor(private readonly options: PollerOptions) {}

  watchInstance(id: string, watcher: Watcher<InstanceView>): () => void {
    return this.watch(this.instances, id, watcher);
  }

  watchImage(id: string, watcher: Watcher<ImageView>): () => void {
    return this.watch(this.images, id, watcher);
  }

  /** The snapshots tagged with this bake id ("missing" until EC2 lists one). */
  watchSnapshots(bakeId: string, watcher: Watcher<SnapshotView[]>): () => void {
    return this.watch(this.snapshots, bakeId, watcher);
  }

  /** An Auto Scaling group's recent instance refreshes, newest first. */
  watchRefreshes(group: string, watcher: Watcher<RefreshView[]>): () => void {
    return this.watch(this.refreshes, group, watcher);
  }

  /** An Auto Scaling group and its instances. */
  watchGroup(group: string, watcher: Watcher<GroupView>): () => void {
    return this.watch(this.groups, group, watcher);
  }

  /** A watcher's next look changed outside an observation: plan the next tick again. */
  wake(): void {
    this.waker?.abort();
  }

  get watching(): number {
    return this.kinds().reduce((sum, kind) => sum + kind.watchers.size, 0);
  }

  close(): void {
    this.controller.abort();
  }

  private watch<T>(kind: Kind<T>, key: string, watcher: Watcher<T>): () => void {
    let set = kind.watchers.get(key);
    if (!set) kind.watchers.set(key, (set = new Set()));
    set.add(watcher);
    if (this.running) this.wake();
    else void this.loop();
    return () => {
      set.delete(watcher);
      if (set.size === 0 && kind.watchers.get(key) === set) kind.watchers.delete(key);
      // The loop may be asleep until a look planned for this watcher: wake it to end (or replan) now.
      if (this.running) this.wake();
    };
  }

  // Runs only while something is watched: an idle poller leaves no timer behind (and a virtual clock in auto
  // mode has nothing to jump to).
  private async loop(): Promise<void> {
    if (this.running || this.controller.signal.aborted) return;
    this.running = true;
    try {
      while (this.watching > 0 && !this.controller.signal.aborted) {
        const at = this.nextTickAt();
        if (at > this.options.clock.now() && (await this.napUntil(at))) continue;
        this.backoffMs = (await this.tick())
          ? Math.min(MAX_BACKOFF_MS, Math.max(this.options.intervalMs, this.backoffMs * 2))
          : 0;
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.options.logger.error('bake poller stopped', { error });
    } finally {
      this.running = false;
    }
    if (this.watching > 0 && !this.controller.signal.aborted) void this.loop();
  }

  private nextTickAt(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const kind of this.kinds()) {
      for (const set of kind.watchers.values())
        for (const watcher of set) earliest = Math.min(earliest, watcher.nextLook().at);
    }
    const spaced = this.lastTickAt + this.options.intervalMs + this.backoffMs;
    return Math.max(earliest, spaced);
  }

  /** Sleeps until `at` (forever when it is infinite); resolves true when woken early to plan again. */
  private async napUntil(at: number): Promise<boolean> {
    const waker = new AbortController();
    this.waker = waker;
    const signal = AbortSignal.any([this.controller.signal, waker.signal]);
    try {
      if (Number.isFinite(at)) await this.options.clock.sleep(at - this.options.clock.now(), signal);
      else
        await new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
      return false;
    } catch (error) {
      if (this.controller.signal.aborted) throw error;
      return true;
    } finally {
      if (this.waker === waker) this.waker = undefined;
    }
  }

  private kinds(): { watchers: Map<string, Set<{ nextLook(): Look }>> }[] {
    return [this.instances, this.snapshots, this.images, this.refreshes, this.groups];
  }

  private autoScalingKind<T>(action: string, describe: AutoScalingDescribe<T>, keysPerCall: number): Kind<T> {
    return {
      action,
      describe: (_ec2, keys, token, signal) => {
        if (!this.options.autoScaling)
          throw new Error('This poller was made without an Auto Scaling client.');
        return describe(this.options.autoScaling, keys, token, signal);
      },
      watchers: new Map(),
      keysPerCall,
    };
  }

  /** Returns whether EC2 throttled this tick. */
  private async tick(): Promise<boolean> {
    this.lastTickAt = this.options.clock.now();
    let throttled = false;
    throttled = (await this.poll(this.instances)) || throttled;
    throttled = (await this.poll(this.snapshots)) || throttled;
    throttled = (await this.poll(this.images)) || throttled;
    throttled = (await this.poll(this.refreshes)) || throttled;
    throttled = (await this.poll(this.groups)) || throttled;
    return throttled;
  }

  private async poll<T>(kind: Kind<T>): Promise<boolean> {
    const now = this.options.clock.now();
    const looks = [...kind.watchers].map(([key, set]) => ({ key, looks: [...set].map((w) => w.nextLook()) }));
    // A look that may come early only rides along with a call someone is due for: alone, it waits its turn
    // (a tick made for another kind of resource is no reason to spend this call).
    if (!looks.some((k) => k.looks.some((l) => l.at <= now))) return false;
    const keys = looks.flatMap((k) => (k.looks.some((l) => l.at - l.slackMs <= now) ? [k.key] : []));
    let throttled = false;
    const perCall = kind.keysPerCall ?? KEYS_PER_CALL;
    for (let start = 0; start < keys.length; start += perCall) {
      const chunk = keys.slice(start, start + perCall);
      const found = new Map<string, T>();
      let outcome: { error: unknown } | undefined;
      try {
        let token: string | undefined;
        do {
          await this.options.limiter.acquire(kind.action, this.controller.signal);
          for (const key of chunk) for (const w of kind.watchers.get(key) ?? []) w.onCall();
          const page = await kind.describe(this.options.ec2, chunk, token, this.controller.signal);
          for (const [key, item] of page.items) found.set(key, item);
          token = page.next;
        } while (token);
      } catch (error) {
        if (this.controller.signal.aborted) throw error;
        throttled ||= isThrottling(error);
        outcome = { error };
      }
      for (const key of chunk) {
        const item = found.get(key);
        const observation: Observation<T> = outcome
          ? { kind: 'error', error: outcome.error }
          : item !== undefined
            ? { kind: 'found', value: item }
            : { kind: 'missing' };
        for (const w of [...(kind.watchers.get(key) ?? [])]) w.onObservation(observation);
      }
    }
    return throttled;
  }
}
