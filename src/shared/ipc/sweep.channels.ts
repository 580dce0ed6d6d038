export const SWEEP_INVOKE = ['sweep:builders'] as const;
