import { stepsFor, type BakeRecord, type StepState } from '../../../../src/shared/bake';
import { bakeRecord, T0 } from '../../../helpers/bake-record';

/** A bake record of a project that delivers nothing, with the given steps (others pending), timed from T0. */
export function record(
  overrides: Partial<BakeRecord> = {},
  steps: Partial<Record<string, Partial<StepState>>> = {},
): BakeRecord {
  return bakeRecord('bk_00000000000000000001', 'web', {
    region: 'us-east-1',
    trigger: 'app',
    status: 'running',
    startedAt: T0,
    steps: [...stepsFor({}), ...(steps.cleanup ? (['cleanup'] as const) : [])].map((step) => ({
      step,
      status: 'pending',
      ...steps[step],
    })),
    seq: 1,
    ...overrides,
  });
}

export const at = (seconds: number) => T0 + seconds * 1000;
