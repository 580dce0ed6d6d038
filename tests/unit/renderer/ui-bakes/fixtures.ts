import { BAKE_STEPS, type BakeRecord, type StepState } from '../../../../src/shared/bake';

const T0 = Date.UTC(2026, 0, 1, 12);

/** A bake record with the given steps (others pending), timed from T0. */
export function record(
  overrides: Partial<BakeRecord> = {},
  steps: Partial<Record<string, Partial<StepState>>> = {},
): BakeRecord {
  return {
    id: 'bk_00000000000000000001',
    project: 'web',
    profile: 'sandbox',
    region: 'us-east-1',
    simulated: true,
    trigger: 'app',
    status: 'running',
    createdAt: T0,
    startedAt: T0,
    steps: BAKE_STEPS.filter((s) => s !== 'cleanup' || steps.cleanup).map((step) => ({
      step,
      status: 'pending',
      ...steps[step],
    })),
    seq: 1,
    snapshotIds: [],
    cleanedUp: [],
    apiCalls: 0,
    ...overrides,
  };
}

export const at = (seconds: number) => T0 + seconds * 1000;
