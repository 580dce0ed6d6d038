import { describe, expect, it } from 'vitest';
import { LiveConsole } from '../../../src/main/app/handlers/bake-live-console';
import type { BakeEvent } from '../../../src/shared/bake';
import { bakeRecord } from '../../helpers/bake-record';

const ID = 'bk_00000000000000000001';
const created: BakeEvent = { type: 'created', bakeId: ID, seq: 0, at: 0, record: bakeRecord(ID) };
const lines = (seq: number, ...text: string[]): BakeEvent => ({
  type: 'console',
  bakeId: ID,
  seq,
  at: seq,
  lines: text,
});

describe('LiveConsole', () => {
  it('cuts the console at a seq, so a snapshot and the events after it add up', () => {
    const live = new LiveConsole(100);
    live.observe(created);
    live.observe(lines(1, 'a', 'b'));
    live.observe({ type: 'step', bakeId: ID, seq: 2, at: 2, step: 'launch', status: 'running' });
    live.observe(lines(3, 'c'));
    expect(live.upTo(ID, 2)).toEqual({ tail: ['a', 'b'], total: 2 });
    expect(live.upTo(ID, 3)).toEqual({ tail: ['a', 'b', 'c'], total: 3 });
    expect(live.upTo(ID, 0)).toEqual({ tail: [], total: 0 });
  });

  it('keeps at least the tail it hands out, and still counts every line', () => {
    const live = new LiveConsole(3);
    live.observe(created);
    for (let seq = 1; seq <= 5; seq++) live.observe(lines(seq, `${seq}a`, `${seq}b`));
    expect(live.upTo(ID, 5)).toEqual({ tail: ['4b', '5a', '5b'], total: 10 });
    // Older cuts lose what was trimmed but never miscount.
    expect(live.upTo(ID, 4)?.total).toBe(8);
  });

  it('follows only bakes it saw start, and lets go when they finish', () => {
    const live = new LiveConsole(10);
    live.observe(lines(1, 'orphan'));
    expect(live.upTo(ID, 1)).toBeUndefined();
    live.observe(created);
    live.observe(lines(1, 'x'));
    live.observe({
      type: 'finished',
      bakeId: ID,
      seq: 2,
      at: 2,
      record: bakeRecord(ID, 'web', { status: 'succeeded', seq: 2 }),
    });
    expect(live.upTo(ID, 2)).toBeUndefined();
  });
});
