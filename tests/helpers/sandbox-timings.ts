import type { SandboxTimings } from '../../src/sandbox';

/**
 * Sandbox timings for whole bakes on a VirtualClock. Virtual time is free, but every poll tick and console
 * batch is real work (HTTP, fsync'ed journal writes): timings a few ticks long keep each bake to a few dozen
 * calls.
 */
export const FAST_BAKE_TIMINGS: Partial<SandboxTimings> = {
  pendingMs: 2_000,
  bootMs: 2_000,
  scriptDefaultMs: 2_000,
  shutdownDelayMs: 500,
  stoppingMs: 2_000,
  shuttingDownMs: 2_000,
  imagePendingMs: 4_000,
};
