import type { z } from 'zod';
import { eventContract, type EventChannel, type EventPayload } from '../../shared/contract';
import type { Logger } from '../services/logger';

/** A renderer that can receive events: an Electron webContents, or a test-bridge WebSocket. */
export interface EventTarget {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: EventChannel, payload: unknown): void;
}

interface Attached {
  target: EventTarget;
  ready: boolean;
  queue: { channel: EventChannel; payload: unknown }[];
}

/** Enough to cover a reload during a busy bake; beyond it the renderer resyncs with `bake:get`. */
const MAX_QUEUED = 5000;

/**
 * Fans events out to every attached renderer. Until a renderer says it is ready (after a load or reload) its
 * events are queued, so nothing emitted during page load is lost; a destroyed target is dropped, never sent to.
 */
export class EventHub {
  private readonly targets = new Map<number, Attached>();

  constructor(private readonly logger: Logger) {}

  attach(target: EventTarget): void {
    this.targets.set(target.id, { target, ready: false, queue: [] });
  }

  detach(id: number): void {
    this.targets.delete(id);
  }

  /** Whether any renderer is attached: with none, work done only to tell renderers can wait. */
  hasTargets(): boolean {
    return this.targets.size > 0;
  }

  /** The page is (re)loading: hold events until it calls app:ready again. */
  markLoading(id: number): void {
    const attached = this.targets.get(id);
    if (attached) attached.ready = false;
  }

  markReady(id: number): void {
    const attached = this.targets.get(id);
    if (!attached) return;
    attached.ready = true;
    const queued = attached.queue.splice(0);
    for (const { channel, payload } of queued) this.deliver(attached, channel, payload);
  }

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const parsed = (eventContract[channel] as z.ZodType).safeParse(payload);
    if (!parsed.success) {
      this.logger.error('event payload does not match the contract', { channel });
      return;
    }
    for (const attached of this.targets.values()) {
      if (attached.ready) this.deliver(attached, channel, parsed.data);
      else {
        attached.queue.push({ channel, payload: parsed.data });
        if (attached.queue.length > MAX_QUEUED) attached.queue.shift();
      }
    }
  }

  private deliver(attached: Attached, channel: EventChannel, payload: unknown): void {
    if (attached.target.isDestroyed()) {
      this.targets.delete(attached.target.id);
      return;
    }
    try {
      attached.target.send(channel, payload);
    } catch (error) {
      this.logger.warn('could not deliver event', { channel, error });
    }
  }
}
