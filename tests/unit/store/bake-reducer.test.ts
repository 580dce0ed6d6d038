import { describe, expect, test } from 'vitest';
import { applyBakeEvent, reduceBakeEvents } from '../../../src/shared/bake-reducer';
import { bakeRecord } from '../../helpers/bake-record';
import { created, events } from './helpers';

const id = 'bk_00000000001234567890';

describe('applyBakeEvent', () => {
  test('folds a whole bake into its record', () => {
    const record = reduceBakeEvents([
      created(id),
      ...events(
        id,
        1,
        { type: 'status', status: 'running' },
        { type: 'step', step: 'launch', status: 'running' },
        { type: 'resource', kind: 'instance', id: 'i-0123456789abcdef0' },
        { type: 'step', step: 'launch', status: 'done', message: 'launched' },
        { type: 'resource', kind: 'image', id: 'ami-0aaaaaaaaaaaaaaaa', name: 'web-1' },
        { type: 'resource', kind: 'snapshot', id: 'snap-1' },
        { type: 'resource', kind: 'snapshot', id: 'snap-1' },
        { type: 'console', lines: ['hello'] },
        { type: 'cleanup', action: 'terminated i-0123456789abcdef0' },
        { type: 'status', status: 'succeeded' },
      ),
    ]);
    expect(record).toMatchObject({
      status: 'succeeded',
      seq: 10,
      instanceId: 'i-0123456789abcdef0',
      imageId: 'ami-0aaaaaaaaaaaaaaaa',
      imageName: 'web-1',
      snapshotIds: ['snap-1'],
      cleanedUp: ['terminated i-0123456789abcdef0'],
      startedAt: Date.UTC(2026, 0, 1, 12) + 1000,
      endedAt: Date.UTC(2026, 0, 1, 12) + 10_000,
    });
    expect(record?.steps).toEqual([
      {
        step: 'launch',
        status: 'done',
        startedAt: Date.UTC(2026, 0, 1, 12) + 2000,
        endedAt: Date.UTC(2026, 0, 1, 12) + 4000,
        message: 'launched',
      },
    ]);
  });

  test('keeps steps in pipeline order whatever order they were reported in', () => {
    const record = reduceBakeEvents([
      created(id),
      ...events(
        id,
        1,
        { type: 'step', step: 'stop', status: 'running' },
        { type: 'step', step: 'preflight', status: 'done' },
      ),
    ]);
    expect(record?.steps.map((s) => s.step)).toEqual(['preflight', 'stop']);
  });

  test('ignores events already applied, so a snapshot plus live events never double-counts', () => {
    const base = reduceBakeEvents([created(id), ...events(id, 1, { type: 'cleanup', action: 'a' })])!;
    const again = applyBakeEvent(base, events(id, 1, { type: 'cleanup', action: 'a' })[0]!);
    expect(again).toBe(base);
    expect(again.cleanedUp).toEqual(['a']);
  });

  test('does not mutate the record it is given', () => {
    const base = reduceBakeEvents([created(id)])!;
    const frozen = structuredClone(base);
    applyBakeEvent(base, events(id, 1, { type: 'status', status: 'running' })[0]!);
    expect(base).toEqual(frozen);
  });

  test('a status event that names the bake it joined marks the record joined from then on', () => {
    const leader = 'bk_00000000009999999999';
    const record = reduceBakeEvents([
      created(id),
      ...events(
        id,
        1,
        { type: 'status', status: 'running', message: 'Joined', joinedTo: leader },
        { type: 'status', status: 'running', message: 'still going' },
      ),
    ]);
    expect(record).toMatchObject({ joinedTo: leader, message: 'still going' });
  });

  test('a finished event carries the authoritative record', () => {
    const final = bakeRecord(id, 'web', { status: 'failed', apiCalls: 42 });
    const record = reduceBakeEvents([created(id), ...events(id, 1, { type: 'finished', record: final })]);
    expect(record).toMatchObject({ status: 'failed', apiCalls: 42, seq: 1 });
  });

  test('refuses an event before created and an event of another bake', () => {
    const [status] = events(id, 1, { type: 'status', status: 'running' });
    expect(() => applyBakeEvent(undefined, status!)).toThrow(/before "created"/);
    const other = reduceBakeEvents([created('bk_00000000009999999999')])!;
    expect(() => applyBakeEvent(other, status!)).toThrow(/applied to bake/);
  });
});
