import type { SandboxTimings } from '../../src/sandbox';
import type { BenchTimeline } from '../lib/timelines';
import type { Random } from '../lib/random';
import type { World } from '../lib/world';

export type PolicyId = 'quadraxis' | 'design-2015' | 'sdk-waiters' | 'packer';

export interface BakeResult {
  ok: boolean;
  /** The AMI made, if any (premature or not). */
  imageId?: string;
  message?: string;
  /** Per-step durations the policy itself reports (Quadraxis's bake record), for the where-the-time-goes table. */
  stepsMs?: Record<string, number>;
}

/** One bake to make: its index (for unique names) and the timeline the Sandbox will play for it. */
export interface BakeSubject {
  index: number;
  timeline: BenchTimeline;
}

/** A policy opened on one world: bakes one project after another (or many at once, for Quadraxis). */
export interface PolicyRunner {
  bake(subject: BakeSubject): Promise<BakeResult>;
  close(): Promise<void>;
}

export interface PolicyEnv {
  world: World;
  region: string;
  /** Seeded: waiter jitter is reproducible. */
  rng: Random;
}

/** One way of baking an AMI, measured on the same timelines as the others. */
export interface Policy {
  id: PolicyId;
  label: string;
  /** One line on what it does and where its numbers come from (the file's comment has the detail). */
  summary: string;
  /** Whether its builder powers itself off after the script (Quadraxis's wrapper) or keeps running. */
  powersOff: boolean;
  /**
   * AWS's own time on this policy's path: the state changes its image depends on, as the timeline sets
   * them. Wall time minus this is what the policy adds (poll lag, fixed sleeps, waits it chose to make).
   */
  awsPathMs(t: BenchTimeline, timings: SandboxTimings): number;
  open(env: PolicyEnv): Promise<PolicyRunner>;
}
