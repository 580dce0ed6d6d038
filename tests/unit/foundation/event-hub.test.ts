import { describe, expect, it } from 'vitest';
import { EventHub } from '../../../src/main/app/event-hub';
import { silentLogger } from '../../../src/main/services/logger';
import { defaultSettings } from '../../../src/shared/settings';

function target(id: number) {
  const sent: string[] = [];
  return {
    id,
    sent,
    destroyed: false,
    isDestroyed() {
      return this.destroyed;
    },
    send(channel: string) {
      sent.push(channel);
    },
  };
}

describe('EventHub', () => {
  it('queues until ready, flushes in order, and re-queues across a reload', () => {
    const hub = new EventHub(silentLogger);
    const t = target(1);
    hub.attach(t);
    hub.emit('settings:changed', defaultSettings());
    hub.emit('app:notice', { id: 'n', level: 'info', title: 't', message: 'm', at: 1 });
    expect(t.sent).toEqual([]);
    hub.markReady(1);
    expect(t.sent).toEqual(['settings:changed', 'app:notice']);
    hub.markLoading(1);
    hub.emit('settings:changed', defaultSettings());
    expect(t.sent).toHaveLength(2);
    hub.markReady(1);
    expect(t.sent).toHaveLength(3);
  });

  it('never sends to a destroyed target and drops it', () => {
    const hub = new EventHub(silentLogger);
    const t = target(2);
    hub.attach(t);
    hub.markReady(2);
    t.destroyed = true;
    hub.emit('settings:changed', defaultSettings());
    t.destroyed = false;
    hub.emit('settings:changed', defaultSettings());
    expect(t.sent).toEqual([]);
  });

  it('refuses payloads that do not match the event schema', () => {
    const hub = new EventHub(silentLogger);
    const t = target(3);
    hub.attach(t);
    hub.markReady(3);
    hub.emit('settings:changed', { theme: 'neon' } as never);
    expect(t.sent).toEqual([]);
  });
});
