import { DescribeImagesCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { isThrottling } from './aws-call';
import type { RegionLimiter } from './rate-limiter';

export interface InstanceView {
  id: string;
  state: string;
  stateReasonCode?: string;
  stateReasonMessage?: string;
}

export interface ImageView {
  id: string;
  state: string;
  name?: string;
  stateReasonMessage?: string;
  snapshotIds: string[];
}

/** What one tick saw for one id: the resource, its absence, or the error that hid it. */
export type Observation<T> =
  { kind: 'found'; value: T } | { kind: 'missing' } | { kind: 'error'; error: unknown };

type Listener<T> = { onObservation: (observation: Observation<T>) => void; onCall: () => void };

/** EC2 accepts up to 200 values per filter. */
const IDS_PER_CALL = 200;
const MAX_BACKOFF_MS = 30_000;

export interface PollerOptions {
  ec2: EC2Client;
  clock: Clock;
  limiter: RegionLimiter;
  intervalMs: number;
  logger: Logger;
}

/**
 * One poller per account and region. Every active bake registers the instance or image it waits for; each tick
 * makes ONE DescribeInstances and ONE DescribeImages call covering all of them, instead of one SDK waiter per
 * bake (whose minimum delay is 15 s, growing to 120 s). Filters (not ids) are used so one unknown or
 * not-yet-visible id cannot fail the whole batch. On throttling the interval doubles until a tick succeeds.
 */
export class RegionPoller {
  private readonly instances = new Map<string, Set<Listener<InstanceView>>>();
  private readonly images = new Map<string, Set<Listener<ImageView>>>();
  private readonly controller = new AbortController();
  private running = false;
  private intervalMs: number;

  constructor(private readonly options: PollerOptions) {
    this.intervalMs = options.intervalMs;
  }

  watchInstance(id: string, listener: Listener<InstanceView>): () => void {
    return this.watch(this.instances, id, listener);
  }

  watchImage(id: string, listener: Listener<ImageView>): () => void {
    return this.watch(this.images, id, listener);
  }

  get watching(): number {
    return this.instances.size + this.images.size;
  }

  close(): void {
    this.controller.abort();
  }

  private watch<T>(map: Map<string, Set<Listener<T>>>, id: string, listener: Listener<T>): () => void {
    let set = map.get(id);
    if (!set) map.set(id, (set = new Set()));
    set.add(listener);
    void this.loop();
    return () => {
      set.delete(listener);
      if (set.size === 0 && map.get(id) === set) map.delete(id);
    };
  }

  // The loop runs only while something is watched: an idle poller leaves no timer behind (and a virtual
  // clock in auto mode has nothing to jump to).
  private async loop(): Promise<void> {
    if (this.running || this.controller.signal.aborted) return;
    this.running = true;
    try {
      while (this.watching > 0 && !this.controller.signal.aborted) {
        await this.options.clock.sleep(this.intervalMs, this.controller.signal);
        const throttled = await this.tick();
        this.intervalMs = throttled
          ? Math.min(MAX_BACKOFF_MS, this.intervalMs * 2)
          : Math.max(this.options.intervalMs, Math.floor(this.intervalMs / 2));
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.options.logger.error('bake poller stopped', { error });
    } finally {
      this.running = false;
    }
    if (this.watching > 0 && !this.controller.signal.aborted) void this.loop();
  }

  /** Returns whether EC2 throttled this tick. */
  private async tick(): Promise<boolean> {
    const [a, b] = await Promise.all([
      this.poll('DescribeInstances', this.instances, (ids, token) => this.describeInstances(ids, token)),
      this.poll('DescribeImages', this.images, (ids, token) => this.describeImages(ids, token)),
    ]);
    return a || b;
  }

  private async poll<T extends { id: string }>(
    action: string,
    map: Map<string, Set<Listener<T>>>,
    describe: (ids: string[], token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
  ): Promise<boolean> {
    const ids = [...map.keys()];
    let throttled = false;
    for (let start = 0; start < ids.length; start += IDS_PER_CALL) {
      const chunk = ids.slice(start, start + IDS_PER_CALL);
      const found = new Map<string, T>();
      let outcome: { error: unknown } | undefined;
      try {
        let token: string | undefined;
        do {
          await this.options.limiter.acquire(action, this.controller.signal);
          for (const id of chunk) for (const l of map.get(id) ?? []) l.onCall();
          const page = await describe(chunk, token);
          for (const item of page.items) found.set(item.id, item);
          token = page.next;
        } while (token);
      } catch (error) {
        if (this.controller.signal.aborted) throw error;
        throttled ||= isThrottling(error);
        outcome = { error };
      }
      for (const id of chunk) {
        const observation: Observation<T> = outcome
          ? { kind: 'error', error: outcome.error }
          : found.has(id)
            ? { kind: 'found', value: found.get(id)! }
            : { kind: 'missing' };
        for (const l of [...(map.get(id) ?? [])]) l.onObservation(observation);
      }
    }
    return throttled;
  }

  private async describeInstances(ids: string[], token: string | undefined) {
    const out = await this.options.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }], NextToken: token }),
      { abortSignal: this.controller.signal },
    );
    const items: InstanceView[] = [];
    for (const reservation of out.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (!i.InstanceId) continue;
        items.push({
          id: i.InstanceId,
          state: i.State?.Name ?? 'unknown',
          ...(i.StateReason?.Code ? { stateReasonCode: i.StateReason.Code } : {}),
          ...(i.StateReason?.Message ? { stateReasonMessage: i.StateReason.Message } : {}),
        });
      }
    }
    return { items, next: out.NextToken };
  }

  private async describeImages(ids: string[], token: string | undefined) {
    const out = await this.options.ec2.send(
      new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: ids }], NextToken: token }),
      { abortSignal: this.controller.signal },
    );
    const items: ImageView[] = (out.Images ?? []).flatMap((image) =>
      image.ImageId
        ? [
            {
              id: image.ImageId,
              state: image.State ?? 'unknown',
              ...(image.Name ? { name: image.Name } : {}),
              ...(image.StateReason?.Message ? { stateReasonMessage: image.StateReason.Message } : {}),
              snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) =>
                m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
              ),
            },
          ]
        : [],
    );
    return { items, next: out.NextToken };
  }
}
