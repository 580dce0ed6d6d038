import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/services/clock';

describe('VirtualClock', () => {
  it('fires sleeps in time order when advanced', async () => {
    const clock = new VirtualClock(0);
    const order: string[] = [];
    void clock.sleep(3000).then(() => order.push('3s'));
    void clock.sleep(1000).then(() => order.push('1s'));
    await clock.advance(2000);
    expect(order).toEqual(['1s']);
    expect(clock.now()).toBe(2000);
    await clock.advance(1000);
    expect(order).toEqual(['1s', '3s']);
  });

  it('in auto mode, concurrent sleepers share time instead of adding it up', async () => {
    const clock = new VirtualClock(0);
    clock.startAuto();
    await Promise.all([clock.sleep(20 * 60_000), clock.sleep(20 * 60_000), clock.sleep(5_000)]);
    expect(clock.now()).toBe(20 * 60_000);
  });

  it('does not move time while tracked work is in flight', async () => {
    const clock = new VirtualClock(0);
    clock.startAuto();
    let release!: () => void;
    const work = clock.track(new Promise<void>((resolve) => (release = resolve)));
    let woke = false;
    const sleeper = clock.sleep(1000).then(() => (woke = true));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    expect(clock.now()).toBe(0);
    release();
    await work;
    await sleeper;
    expect(clock.now()).toBe(1000);
  });

  it('rejects an aborted sleep with the abort reason and forgets it', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleep = clock.sleep(1000, controller.signal);
    controller.abort(new Error('cancelled by user'));
    await expect(sleep).rejects.toThrow('cancelled by user');
    expect(clock.pendingSleeps).toBe(0);
  });
});
