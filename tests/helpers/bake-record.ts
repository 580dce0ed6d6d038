import type { BakeRecord } from '../../src/shared/bake';

/** The moment test bakes start at (a virtual clock's usual start). */
export const T0 = Date.UTC(2026, 0, 1, 12);

/** A bake record as the engine first writes it: queued, nothing run yet. `more` sets any other field. */
export function bakeRecord(id: string, project = 'web', more: Partial<BakeRecord> = {}): BakeRecord {
  return {
    id,
    project,
    profile: 'sandbox',
    region: 'eu-west-1',
    simulated: true,
    trigger: 'cli',
    status: 'queued',
    createdAt: T0,
    steps: [],
    seq: 0,
    snapshotIds: [],
    cleanedUp: [],
    apiCalls: 0,
    ...more,
  };
}
